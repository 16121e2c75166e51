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
  // 400–499: activities
  ActivityConflict: 400,
  ActivityNotFound: 401,
  ActivityPlanInvalid: 402,
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
  /** EX_CANTCREAT: an output file named on the command line cannot be created. */
  CantCreate: 73,
  Config: 78,
} as const;
