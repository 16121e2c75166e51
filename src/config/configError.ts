import { AgentError, ErrorCode, isAgentError } from '../errors.js';
import { errnoCause } from '../util/atomicWrite.js';
import { describeErrno, problemText } from './messages.js';

export type ConfigErrorCode =
  | typeof ErrorCode.ConfigInvalid
  | typeof ErrorCode.ConfigSyntax
  | typeof ErrorCode.ConfigUnreadable
  | typeof ErrorCode.ConfigMigration;

/**
 * A configuration that cannot be used. It carries every problem found, one line each, already
 * worded for the technician (key path, value found, what is expected): the CLI prints exactly
 * these lines and exits 78, so systemd does not restart into the same bad file.
 */
export class ConfigError extends AgentError {
  constructor(
    code: ConfigErrorCode,
    readonly problems: readonly string[],
    context: Readonly<Record<string, unknown>> = {},
  ) {
    super(code, problems.join('\n'), { ...context, problems });
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

/** A data directory that cannot be written is a problem the technician must fix, said as one line. */
export function writeOrConfigError(write: () => void): void {
  try {
    write();
  } catch (error) {
    const errno = errnoCause(error);
    if (errno === undefined) throw error;
    // A failed atomic write names its target; a raw errno error (mkdir) names the path it was about.
    const file = isAgentError(error, ErrorCode.StorageWrite) ? String(error.context.path) : (errno.path ?? '?');
    const reason = describeErrno(errno);
    throw new ConfigError(ErrorCode.ConfigUnreadable, [problemText('unwritable', { file, reason })], { file });
  }
}
