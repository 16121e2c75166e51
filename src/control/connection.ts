import type { Socket } from 'node:net';
import { ErrorCode, isAgentError } from '../errors.js';
import { withLanguage } from '../i18n.js';
import type { Logger } from '../log.js';
import { LineSplitter } from './lines.js';
import { controlText } from './messages.js';
import { MAX_LINE_BYTES, requestSchema, type ControlResponse, type ErrorBody, type RequestId } from './protocol.js';
import type { ControlRegistry } from './registry.js';

/** Requests read ahead of the one being handled; beyond this the socket stops being read. */
const MAX_QUEUED = 16;

/**
 * - open: reading and answering;
 * - overflowed: a line passed MAX_LINE_BYTES; the complete lines before it are answered, then the
 *   overflow error, then the connection closes (there is no telling where the next request starts);
 * - stopping: the daemon stops; the request in hand finishes, queued ones are refused.
 */
type ConnectionState = 'open' | 'overflowed' | 'stopping';

/**
 * One client of the control socket. Requests are handled one at a time in arrival order, so a
 * client sees its responses in the order it asked; nothing a client sends can crash the daemon or
 * make it buffer without bound: reading pauses while MAX_QUEUED requests wait, and handling pauses
 * while the client does not read its answers.
 */
export class ControlConnection {
  private readonly splitter = new LineSplitter(MAX_LINE_BYTES);
  private readonly queue: string[] = [];
  private working: Promise<void> | undefined;
  /** A method is running (not merely an answer waiting for the client to read it). */
  private handling = false;
  private state: ConnectionState = 'open';
  private peerEnded = false;
  /** performance.now() of the last request read or answer sent: the server evicts the stalest idle client first. */
  private lastActiveAt = performance.now();

  constructor(
    private readonly socket: Socket,
    private readonly registry: ControlRegistry,
    private readonly logger: Logger,
    idleTimeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => logger.debug({ err: error }, 'control client connection error'));
    // The server allows half-open sockets so a client that sends its requests and then shuts down
    // its side still gets every answer.
    socket.on('end', () => {
      this.peerEnded = true;
      this.proceed();
    });
    // Nobody is left to answer: the requests read ahead are dropped, not run.
    socket.on('close', () => this.queue.splice(0));
    // Only an idle client is cut off: a method in hand (an enrollment waiting for a finger) may
    // take longer than the timeout, while a client that stopped reading its answers is stuck.
    // A fired timeout stays disarmed, so it is armed again for later.
    const onTimeout = (): void => {
      if (this.handling) {
        socket.setTimeout(idleTimeoutMs);
        return;
      }
      logger.debug({ idleTimeoutMs }, 'closing an idle control connection');
      socket.destroy();
    };
    socket.on('timeout', onTimeout);
    socket.setTimeout(idleTimeoutMs);
  }

  /** Stops reading, lets the request in hand finish and answer, refuses the queued ones, closes. */
  async drain(): Promise<void> {
    this.state = 'stopping';
    this.socket.pause();
    while (this.working !== undefined) await this.working;
    // Destroy once the answers are flushed: a client that keeps its side open must not hold up stop.
    this.socket.end(() => this.socket.destroy());
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Nothing in hand, nothing queued: closing it loses no request. */
  get idle(): boolean {
    return this.working === undefined && this.queue.length === 0 && !this.handling;
  }

  get lastActive(): number {
    return this.lastActiveAt;
  }

  private receive(chunk: Buffer): void {
    if (this.state !== 'open') return;
    this.lastActiveAt = performance.now();
    const { lines, overflow } = this.splitter.push(chunk);
    this.queue.push(...lines.filter((line) => line.trim() !== ''));
    if (overflow) {
      this.state = 'overflowed';
      this.socket.pause();
    } else if (this.queue.length >= MAX_QUEUED) {
      this.socket.pause();
    }
    this.proceed();
  }

  /**
   * Moves the connection on whenever nothing is being handled: starts on the queued requests, or
   * ends the connection once nothing is left to answer. A chunk holding no complete request (half
   * a line, a blank line) changes nothing, and the next chunk proceeds again.
   */
  private proceed(): void {
    if (this.working !== undefined) return;
    if (this.queue.length > 0) {
      // then() runs after the assignment even when work() has nothing to await.
      this.working = this.work().then(() => {
        this.working = undefined;
        this.proceed();
      });
    } else if (this.state === 'overflowed') {
      this.send({
        id: null,
        ok: false,
        error: { code: ErrorCode.ControlProtocol, message: `request line longer than ${MAX_LINE_BYTES} bytes` },
      });
      this.socket.end();
    } else if (this.state === 'open' && this.peerEnded) {
      this.socket.end();
    }
  }

  private async work(): Promise<void> {
    for (let line = this.queue.shift(); line !== undefined; line = this.queue.shift()) {
      const parsed = parseLine(line);
      if (this.state === 'stopping') {
        // Read before the stop began, but not started: the client learns it was not done.
        this.send({
          id: idOf(parsed),
          ok: false,
          error: { code: ErrorCode.ControlUnavailable, message: controlText('stopping') },
        });
        continue;
      }
      this.handling = true;
      await this.handle(parsed);
      this.handling = false;
      // A client that does not read its answers holds up its next request, not the daemon's memory.
      if (this.socket.writableNeedDrain) await this.writable();
      if (this.state === 'open' && this.queue.length < MAX_QUEUED) this.socket.resume();
    }
  }

  private writable(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  private async handle(parsed: ParsedLine): Promise<void> {
    if ('invalidJson' in parsed) {
      this.send({
        id: null,
        ok: false,
        error: { code: ErrorCode.ControlProtocol, message: `request is not valid JSON: ${parsed.invalidJson}` },
      });
      return;
    }
    const request = requestSchema.safeParse(parsed.value);
    if (!request.success) {
      const message = 'a request must be {"id": string or number, "method": string, "params": object}';
      this.send({ id: idOf(parsed), ok: false, error: { code: ErrorCode.ControlProtocol, message } });
      return;
    }
    const { id, method, params, lang } = request.data;
    // A peer that dies (Ctrl-C) only shows as the end of its side; writing is what would fail,
    // and an enrollment waiting for a finger writes nothing. So a client that ends its side while
    // a method runs cancels it; one that wants the answer keeps its side open until then.
    const gone = new AbortController();
    const abort = (): void => gone.abort(new Error('the control client closed the connection'));
    this.socket.once('end', abort);
    this.socket.once('close', abort);
    try {
      const dispatch = () =>
        this.registry.dispatch(method, params, {
          progress: (data) => this.send({ id, progress: data }),
          signal: gone.signal,
        });
      const result = await (lang === undefined ? dispatch() : withLanguage(lang, dispatch));
      this.send({ id, ok: true, result: result ?? null });
    } catch (error) {
      this.send({ id, ok: false, error: this.errorBody(error, method) });
    } finally {
      this.socket.off('end', abort);
      this.socket.off('close', abort);
    }
  }

  private errorBody(error: unknown, method: string): ErrorBody {
    if (isAgentError(error)) return { code: error.code, message: error.message };
    this.logger.error({ err: error, method }, 'control method failed with an internal error');
    return {
      code: ErrorCode.Internal,
      message: `internal error in ${method}: ${(error as Error)?.message ?? String(error)}`,
    };
  }

  private send(response: ControlResponse): void {
    if (!this.socket.writable) return;
    this.lastActiveAt = performance.now();
    this.socket.write(`${JSON.stringify(response)}\n`);
  }
}

type ParsedLine = { value: unknown } | { invalidJson: string };

function parseLine(line: string): ParsedLine {
  try {
    return { value: JSON.parse(line) as unknown };
  } catch (error) {
    return { invalidJson: (error as Error).message };
  }
}

/** The id of a request that is refused or failed validation, when it has a usable one, so the client can match. */
function idOf(parsed: ParsedLine): RequestId | null {
  const raw = 'value' in parsed ? parsed.value : undefined;
  const id = requestSchema.shape.id.safeParse(
    typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined,
  );
  return id.success ? id.data : null;
}
