import { createConnection } from 'node:net';
import { AgentError, ErrorCode } from '../errors.js';
import { language } from '../i18n.js';
import { LineSplitter } from './lines.js';
import { controlText } from './messages.js';
import { responseSchema } from './protocol.js';

/** Answers can be long (an activity list); still bounded, so a confused peer cannot exhaust memory. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

const KNOWN_CODES = new Set<number>(Object.values(ErrorCode));

export interface CallOptions {
  timeoutMs?: number;
  onProgress?: (data: unknown) => void;
}

/**
 * One request to the running daemon. Throws ControlUnavailable when no daemon listens (the CLI
 * then works standalone), and the daemon's own error code when the method fails.
 */
export function callDaemon(
  socketPath: string,
  method: string,
  params: unknown,
  options: CallOptions = {},
): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const id = 1;
  const splitter = new LineSplitter(MAX_RESPONSE_BYTES);
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let settled = false;
    const finish = (error: AgentError | undefined, result?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve(result);
      else reject(error);
    };
    const timer = setTimeout(
      () =>
        finish(
          new AgentError(
            ErrorCode.ControlRequestFailed,
            controlText('timeout', { method, seconds: timeoutMs / 1000, path: socketPath }),
            { method },
          ),
        ),
      timeoutMs,
    );

    // The daemon words its errors in this process's language, not in its own locale's.
    socket.once('connect', () => socket.write(`${JSON.stringify({ id, method, params, lang: language() })}\n`));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(connectionError(error, socketPath, method)));
    socket.on('close', () =>
      finish(new AgentError(ErrorCode.ControlProtocol, controlText('closed', { method }), { method })),
    );
    socket.on('data', (chunk: Buffer) => {
      const { lines, overflow } = splitter.push(chunk);
      if (overflow) {
        finish(
          new AgentError(ErrorCode.ControlProtocol, controlText('tooLong', { method, bytes: MAX_RESPONSE_BYTES }), {
            method,
          }),
        );
        return;
      }
      for (const line of lines) {
        const parsed = responseSchema.safeParse(parseJson(line));
        if (!parsed.success) {
          finish(new AgentError(ErrorCode.ControlProtocol, controlText('malformed', { method }), { method }));
          return;
        }
        const response = parsed.data;
        if (response.id !== id) continue;
        if ('progress' in response) options.onProgress?.(response.progress);
        else if (response.ok) finish(undefined, response.result);
        else finish(remoteError(response.error.code, response.error.message, method));
      }
    });
  });
}

function connectionError(error: NodeJS.ErrnoException, socketPath: string, method: string): AgentError {
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
    return new AgentError(
      ErrorCode.ControlUnavailable,
      controlText('noDaemon', { path: socketPath }),
      { socketPath },
      { cause: error },
    );
  }
  if (error.code === 'EACCES') {
    return new AgentError(
      ErrorCode.ControlRequestFailed,
      controlText('permission', { path: socketPath }),
      { socketPath },
      { cause: error },
    );
  }
  return new AgentError(
    ErrorCode.ControlRequestFailed,
    controlText('connectFailed', { method, path: socketPath, reason: error.message }),
    { socketPath, method },
    { cause: error },
  );
}

/** Keeps the daemon's code so callers branch on it exactly as they would in-process. */
function remoteError(code: number, message: string, method: string): AgentError {
  const known = KNOWN_CODES.has(code) ? (code as ErrorCode) : ErrorCode.ControlRequestFailed;
  return new AgentError(known, message, { method, remote: true });
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
