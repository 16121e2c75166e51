/**
 * One error type for the agent, with numeric codes grouped in ranges so callers branch on the
 * code and never on message text (the zwave-js pattern). Drivers keep their own error type:
 * nothing under drivers/ imports from src/.
 */
export const ErrorCode = {
  // 100–199: configuration
  ConfigInvalid: 100,
  ConfigUnreadable: 101,
  ConfigSyntax: 102,
  ConfigMigration: 103,
  // 200–299: journal
  JournalOpen: 200,
  JournalTampered: 201,
  JournalKey: 202,
  JournalSchema: 203,
  JournalBadInput: 204,
  /** A file the agent keeps (override, marker, key) could not be written durably. */
  StorageWrite: 205,
  /** No journal file where one was expected; only `room-agent run` creates it. */
  JournalMissing: 206,
  // 300–399: daemon, control socket, CLI
  ControlUnavailable: 300,
  ControlProtocol: 301,
  ControlRequestFailed: 302,
  DaemonAlreadyRunning: 303,
  UsageError: 304,
  /** An input file named on the command line cannot be read (missing, a directory, no permission). */
  InputUnreadable: 305,
  // 400–499: activities
  ActivityConflict: 400,
  ActivityNotFound: 401,
  ActivityPlanInvalid: 402,
  // 500–599: scanner and sign-in (520–539 are enrollment's)
  /** No fingerprint module connected within the wait (unplugged, booting, or still being probed). */
  DeviceUnavailable: 500,
  /** The module is not the one this device trusts: sign-ins are refused until `scanner confirm`. */
  ModuleMismatch: 501,
  /** The configured scanner.driver has no fingerprint module (none, hid-keyboard). */
  ScannerDisabled: 502,
  /** keys/scanner.json is missing, unreadable or malformed. */
  ScannerSecrets: 503,
  /** The no-hardware demo cannot run: python3 or the emulator script is missing, or it failed. */
  EmulatorUnavailable: 504,
  /** A manual sign-in must be confirmed by a member whose role is secretary. */
  NotSecretary: 505,
  /** No secretary's finger confirmed a manual sign-in in time. */
  ConfirmationTimeout: 506,
  /** The module reported a condition (bad template, empty slot, unsupported…) during maintenance. */
  ModuleFault: 507,
  /** A secretary named themself as the confirmer of their own manual sign-in. */
  SelfConfirmation: 508,
  // 520–539: members, enrollment, template backups
  /** Enrollment without the member's recorded consent (PIPL: biometric data needs it). */
  ConsentRequired: 520,
  MemberNotFound: 521,
  /** The member already has this finger (by name) enrolled. */
  FingerAlreadyEnrolled: 522,
  /** The module recognised the finger as one already enrolled (for this or another member). */
  DuplicateFinger: 523,
  ModuleFull: 524,
  /** Backed-up templates are of another module family or template size than the module. */
  IncompatibleModule: 525,
  ModuleNotEmpty: 526,
  /** After a restore the module does not hold exactly the slots written. */
  RestoreIncomplete: 527,
  /** A backup cannot be decrypted or read (another device's key, a damaged file). */
  BackupUnreadable: 528,
  /** county.escrowPublicKey is not an X25519 public key. */
  EscrowKeyInvalid: 529,
  NothingToRestore: 530,
  /** The module failed during enrollment (no finger in time, scans that do not match…). */
  EnrollmentFailed: 531,
  // 900–999: internal faults
  Internal: 900,
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AgentError extends Error {
  override readonly name = 'AgentError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAgentError(error: unknown, code?: ErrorCode): error is AgentError {
  return error instanceof AgentError && (code === undefined || error.code === code);
}

/** Exit codes are a contract with systemd (RestartPreventExitStatus=78) and are tested. */
export const ExitCode = {
  Ok: 0,
  InternalFault: 1,
  Usage: 64,
  Unavailable: 69,
  DataError: 65,
  /** EX_NOINPUT: an input file named on the command line cannot be read. */
  NoInput: 66,
  /** EX_CANTCREAT: an output file named on the command line cannot be created. */
  CantCreate: 73,
  Config: 78,
} as const;
