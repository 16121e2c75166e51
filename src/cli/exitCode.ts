import { ErrorCode, ExitCode } from '../errors.js';

/**
 * The exit code for an error that ended a command or the daemon. Exit 1 is reserved for internal
 * faults, which systemd answers with a restart; everything a person must fix maps elsewhere, and
 * conditions no restart can heal map to 78, which the unit lists in RestartPreventExitStatus.
 */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.UsageError:
    case ErrorCode.CenterHttpUnsafe:
    case ErrorCode.ConsentRequired:
    case ErrorCode.FileInvalid:
    case ErrorCode.ProvisionAnswerInvalid:
    case ErrorCode.ProvisionNotPermitted:
      return ExitCode.Usage;
    case ErrorCode.ControlUnavailable:
    case ErrorCode.DaemonAlreadyRunning:
    case ErrorCode.DeviceUnavailable:
    case ErrorCode.ScannerDisabled:
    case ErrorCode.EmulatorUnavailable:
    case ErrorCode.ConfirmationTimeout:
    case ErrorCode.CenterUnavailable:
    case ErrorCode.CenterNoReply:
    case ErrorCode.DemoBusy:
    case ErrorCode.DemoUnavailable:
    case ErrorCode.CenterHttpListen:
    case ErrorCode.StorageFull:
    case ErrorCode.StorageReadOnly:
    case ErrorCode.ProvisionBrokerUnreachable:
    case ErrorCode.ProvisionScannerNotFound:
      return ExitCode.Unavailable;
    case ErrorCode.InputUnreadable:
    case ErrorCode.FileUnreadable:
    case ErrorCode.FileNotRegular:
    case ErrorCode.CenterHttpAssets:
      return ExitCode.NoInput;
    // A signing key that does not match the signed journal needs a technician, not a restart loop.
    case ErrorCode.JournalKey:
    case ErrorCode.JournalDamaged:
    case ErrorCode.JournalQuarantineFailed:
    case ErrorCode.EscrowKeyInvalid:
    case ErrorCode.CenterKeyInvalid:
      return ExitCode.Config;
    case ErrorCode.JournalMissing:
    case ErrorCode.JournalTampered:
    case ErrorCode.JournalBadInput:
    case ErrorCode.ActivityConflict:
    case ErrorCode.ActivityNotFound:
    case ErrorCode.ActivityPlanInvalid:
    case ErrorCode.MemberNotFound:
    case ErrorCode.NotSecretary:
    case ErrorCode.SelfConfirmation:
    case ErrorCode.ModuleMismatch:
    case ErrorCode.ModuleFault:
    case ErrorCode.ScannerSecrets:
    case ErrorCode.FingerAlreadyEnrolled:
    case ErrorCode.DuplicateFinger:
    case ErrorCode.ModuleFull:
    case ErrorCode.IncompatibleModule:
    case ErrorCode.ModuleNotEmpty:
    case ErrorCode.BackupUnreadable:
    case ErrorCode.NothingToRestore:
    case ErrorCode.FileChanged:
      return ExitCode.DataError;
    // The module did not do what was asked (no finger in time, a transfer cut off): try again.
    case ErrorCode.EnrollmentFailed:
    case ErrorCode.RestoreIncomplete:
      return ExitCode.Unavailable;
    case ErrorCode.PackageMissing:
      return ExitCode.PackageMissing;
    case ErrorCode.CenterDatabase:
    case ErrorCode.DemoFolderForeign:
      return ExitCode.CantCreate;
    default:
      return code >= 100 && code < 200 ? ExitCode.Config : ExitCode.InternalFault;
  }
}
