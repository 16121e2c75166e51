import { ErrorCode, ExitCode } from '../errors.js';

/**
 * The exit code for an error that ended a command or the daemon. Exit 1 is reserved for internal
 * faults, which systemd answers with a restart; everything a person must fix maps elsewhere, and
 * conditions no restart can heal map to 78, which the unit lists in RestartPreventExitStatus.
 */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.UsageError:
      return ExitCode.Usage;
    case ErrorCode.ControlUnavailable:
    case ErrorCode.DaemonAlreadyRunning:
      return ExitCode.Unavailable;
    // A signing key that does not match the signed journal needs a technician, not a restart loop.
    case ErrorCode.JournalKey:
      return ExitCode.Config;
    case ErrorCode.JournalMissing:
    case ErrorCode.JournalTampered:
    case ErrorCode.JournalBadInput:
    case ErrorCode.ActivityConflict:
    case ErrorCode.ActivityNotFound:
    case ErrorCode.ActivityPlanInvalid:
      return ExitCode.DataError;
    default:
      return code >= 100 && code < 200 ? ExitCode.Config : ExitCode.InternalFault;
  }
}
