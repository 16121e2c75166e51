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
  /** The journal file opens but lacks what every journal holds (its journal_meta row): damage, not a bug. */
  JournalDamaged: 207,
  /** The data directory's file system is full (SQLITE_FULL, ENOSPC): free space or a larger card, never damage. */
  StorageFull: 215,
  /** The data directory's file system is read-only (EROFS; the kernel's answer to a failing card): replace the card. */
  StorageReadOnly: 216,
  /**
   * A damaged journal could not be set aside and replaced (the data directory is read-only or
   * full, the key is gone): the daemon cannot record anything until a technician acts.
   */
  JournalQuarantineFailed: 209,
  // 300–399: daemon, control socket, CLI
  ControlUnavailable: 300,
  ControlProtocol: 301,
  ControlRequestFailed: 302,
  DaemonAlreadyRunning: 303,
  UsageError: 304,
  /** An input file named on the command line cannot be read (missing, a directory, no permission). */
  InputUnreadable: 305,
  // 310–319: room-agent provision
  /** An answer given to provision (a flag, or typed where no terminal can ask again) fails the configuration's schema. */
  ProvisionAnswerInvalid: 310,
  /** The county broker cannot be reached and --allow-unreachable was not given. */
  ProvisionBrokerUnreachable: 311,
  /** Provision needs root (it writes /etc/room-agent and gives the data directory to the service user), or that user is unknown. */
  ProvisionNotPermitted: 312,
  /** No fingerprint module answered where provision was told to look. */
  ProvisionScannerNotFound: 313,
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
  // 600–649: county sync on the device (600–619: the MQTT link)
  /** The connection to the broker ended (or never existed) before a publish completed. */
  LinkDown: 600,
  /** The broker answered a publish with a reason code ≥ 0x80 (not authorized, quota…). */
  LinkPublishRefused: 601,
  /** A publish that cannot be sent as given (wildcard topic, larger than the broker accepts). */
  LinkPublishInvalid: 602,
  /** A TLS file named in the county section (CA, client certificate, key) cannot be read or parsed. */
  LinkCredentials: 603,
  // 620–629: the journal outbox
  /** The outbox stopped sending on a connection: the link went down or the service stopped. */
  OutboxInterrupted: 620,
  /** A replay was asked from a seq that is not a whole number ≥ 1. */
  OutboxReplayInvalid: 621,
  // 630–639: file uploads to the county center
  /** A file to upload does not exist or cannot be read. */
  FileUnreadable: 630,
  /** A file to upload is not a regular file (a directory, a device, a pipe). */
  FileNotRegular: 631,
  /** An upload request the center would refuse: a name, kind or metadata out of bounds. */
  FileInvalid: 632,
  /** The file changed while it was being read for its checksum. */
  FileChanged: 633,
  // 640–649: commands from the center
  /** county.centerPublicKey is not an Ed25519 public key in base64 DER (SPKI). */
  CenterPublicKeyInvalid: 640,
  /** A center command was refused or failed in a way its reply names (the reply's error code is in the context). */
  CommandRefused: 641,
  /** No camera service runs in this agent version: camera commands cannot be carried out. */
  CameraUnavailable: 642,
  // 650–699: the reference county center (650–659: ingest, commands, keys)
  /** The center could not reach the broker, or lost it before a command was published. */
  CenterUnavailable: 650,
  /** A command got no reply within its wait (the room is offline, or the reply was lost). */
  CenterNoReply: 651,
  /** The center's signing key file is not an Ed25519 private key, or a signed command has no key. */
  CenterKeyInvalid: 652,
  /** The center's database file cannot be created or opened. */
  CenterDatabase: 653,
  // 660–669: the center's web page (the county board)
  /** --http names an address outside loopback without --http-public and a token, or a token too short to guess. */
  CenterHttpUnsafe: 660,
  /** The board's address could not be listened on (in use, not an address of this machine). */
  CenterHttpListen: 661,
  /** The board's page files are not installed beside the code. */
  CenterHttpAssets: 662,
  // 700–719: the no-hardware demo (room-agent demo)
  /** Another demo runs in the same folder. */
  DemoBusy: 700,
  /** Something the demo needs is missing (mosquitto, python3) or would not start. */
  DemoUnavailable: 701,
  /** The demo folder holds files the demo did not make: it is never cleared. */
  DemoFolderForeign: 702,
  /** A process of the demo (broker, agent) ended on its own while the demo ran. */
  DemoChildExited: 703,
  // 720–739: cameras (720–724: reading a camera and running ffmpeg)
  /** The camera cannot be read: unreachable, wrong password, no such stream, a malformed URL, no answer in time. */
  CameraUnreadable: 720,
  /** The camera's stream cannot be pushed as it is (H.265 over RTMP, no video): a setting on the camera must change. */
  CameraUnsupported: 721,
  /** The county media server refused the push or could not be reached. */
  MediaServerRefused: 722,
  /** The ffmpeg or ffprobe binary is not installed where the configuration says. */
  FfmpegMissing: 723,
  /** ffmpeg failed in a way none of the other camera codes names. */
  FfmpegFailed: 724,
  /** A camera without a push section was asked to start or stop its push. */
  CameraNoPush: 730,
  /** A photo could not be taken: the camera gave no picture after a few tries (down, refused, too slow). */
  CameraPhotoFailed: 735,
  // 800–809: installation
  /**
   * A command whose code is in a Debian package this machine does not have (the county center and
   * the demo are in room-agent-center, which a room's device does without).
   */
  PackageMissing: 800,
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

/**
 * Conditions a restart cannot heal: a technician must act (put a key file back, deal with a
 * damaged journal). The daemon exits 78 on them so that systemd does not loop on restarts.
 */
const TECHNICIAN_FAULTS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.JournalKey,
  ErrorCode.JournalDamaged,
  ErrorCode.JournalQuarantineFailed,
]);

export function needsTechnician(error: unknown): error is AgentError {
  return error instanceof AgentError && TECHNICIAN_FAULTS.has(error.code);
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
  /** EX_TEMPFAIL: the center asked for a restart (or a new configuration needs one); Restart=on-failure starts the agent again. */
  Restart: 75,
  Config: 78,
  /**
   * `room-agent doctor` found a check that failed (✘): the machine or its surroundings need a
   * technician. EX_OSERR's number, unused by everything else, so a script tells it from a fault (1).
   */
  ChecksFailed: 71,
  /**
   * EX_OSFILE: the command's code is in a package that is not installed (room-agent-center), so a
   * script tells "install that package" from a failure of the command itself.
   */
  PackageMissing: 72,
} as const;
