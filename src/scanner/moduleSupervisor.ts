import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type BackoffPolicy, type RandomSource } from '../util/backoff.js';
import { DriverErrorCode, isDriverError } from '../../drivers/common/errors.js';
import type { FingerprintScanner, ScannerInfo } from '../../drivers/scanner.js';
import type { ScannerState } from '../daemon/bus.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { ModuleIdentity } from './identity.js';
import type { ScannerOpener } from './opener.js';
import type { PowerSwitch } from './power.js';
import { Wakeup } from './wakeup.js';

export type ModuleTrust = 'trusted' | 'refused';

/**
 * What runs on the module while nobody asked for it exclusively: the sign-in loop. It returns
 * once `signal` aborts (finishing the module command in progress first) and throws when the module
 * fails.
 */
export interface IdleWorker {
  run(
    scanner: FingerprintScanner,
    info: ScannerInfo,
    signal: AbortSignal,
    trust: ModuleTrust,
    resume?: IdleResume,
  ): Promise<void>;
}

/** What happened to the module since the idle worker last ran. */
export interface IdleResume {
  /** It was lent to work that asks for a finger (an enrollment, a secretary's confirmation): one may still be on the glass. */
  afterFingerUse: boolean;
}

/** How a request uses the module. */
export interface ModuleUse {
  /** Also on a module that is not trusted (`scanner confirm`). */
  allowRefused?: boolean | undefined;
  /** The work asks for a finger, which may still be on the glass when it ends. */
  usesFinger?: boolean | undefined;
  /**
   * A question of the moment (`scanner info`, the doctor): an attempt to open the module that
   * fails (no such device, permission denied) answers it at once instead of leaving it to wait out
   * its time for a later attempt. A slow open still gets the whole wait.
   */
  failOnOpenError?: boolean | undefined;
}

/** One open connection to a module. */
export interface ModuleSession {
  readonly scanner: FingerprintScanner;
  info: ScannerInfo;
  trust: ModuleTrust;
  refusal: string | undefined;
  readonly loss: LossWatch;
}

/** The driver's one 'disconnected' event for a session, as a value and as a promise. */
class LossWatch {
  error: Error | undefined;
  readonly happened: Promise<void>;

  constructor(scanner: FingerprintScanner, onLoss: () => void) {
    this.happened = new Promise((resolve) =>
      scanner.on('disconnected', (error) => {
        this.error ??= error;
        onLoss();
        resolve();
      }),
    );
  }
}

interface Request {
  readonly allowRefused: boolean;
  readonly usesFinger: boolean;
  readonly failOnOpenError: boolean;
  execute(session: ModuleSession): Promise<void>;
  fail(error: Error): void;
}

export interface SupervisorDeps {
  open: ScannerOpener;
  identity: ModuleIdentity;
  power: PowerSwitch;
  logger: Logger;
  onState(state: ScannerState, detail: string | undefined): void;
  backoff?: BackoffPolicy | undefined;
  random?: RandomSource | undefined;
}

type Ending = { kind: 'stopped' } | { kind: 'failed'; silent: boolean; connected: boolean };

export const DEFAULT_BACKOFF: BackoffPolicy = { minMs: 500, maxMs: 30_000, jitter: 0.2 };
export const DEFAULT_WAIT_MS = 10_000;

/**
 * Owns the connection to the module, for as long as the agent runs: opens it (a fresh transport
 * each time), checks its identity, lends it to exclusive requests one at a time and to the idle
 * worker in between, and on a disconnect or a silent module closes it, power-cycles it when it
 * can, backs off and opens it again. The driver reports; this decides. It never throws out of its
 * loop: a scanner fault degrades the scanner, never the process.
 */
export class ModuleSupervisor {
  private state: ScannerState = 'connecting';
  private detail: string | undefined;
  private session: ModuleSession | undefined;
  private opening: FingerprintScanner | undefined;
  /** The last reason opening failed, so a scanner left unplugged for days warns once, not per retry. */
  private lastOpenFailure: string | undefined;
  private worker: IdleWorker | undefined;
  /** A request that asks for a finger ran since the idle worker last started. */
  private fingerUsed = false;
  private readonly requests: Request[] = [];
  private readonly wakeup = new Wakeup();
  private readonly stopped = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly deps: SupervisorDeps) {}

  start(): void {
    this.deps.onState(this.state, this.detail);
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    this.wakeup.notify();
    for (const request of this.requests.splice(0)) request.fail(unavailable('the scanner service is stopping'));
    // Ends whatever the module is doing (a Search, an enrollment waiting for a finger) at once.
    await (this.session?.scanner ?? this.opening)?.close().catch(() => undefined);
    await this.running;
  }

  current(): { state: ScannerState; info: ScannerInfo | undefined } {
    return { state: this.state, info: this.session?.info };
  }

  setWorker(worker: IdleWorker | undefined): void {
    this.worker = worker;
    this.wakeup.notify();
  }

  /** Runs `fn` with the module to itself once one is connected (and trusted, unless allowRefused). */
  withModule<T>(
    purpose: string,
    fn: (session: ModuleSession) => Promise<T>,
    waitMs: number,
    { allowRefused = false, usesFinger = false, failOnOpenError = false }: ModuleUse = {},
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.stopped.signal.aborted) return reject(unavailable('the scanner service is stopping'));
      // A module refused at its password cannot be used at all; waiting would not change that.
      if (this.state === 'refused' && this.session === undefined)
        return reject(mismatch(this.detail ?? 'the module is not trusted'));
      const request: Request = {
        allowRefused,
        usesFinger,
        failOnOpenError,
        execute: async (session) => {
          clearTimeout(timer);
          try {
            resolve(await fn(session));
          } catch (error) {
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- fn's own failure, passed on unchanged
            reject(error);
          }
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const index = this.requests.indexOf(request);
        if (index < 0) return;
        this.requests.splice(index, 1);
        const why = this.detail === undefined ? this.state : `${this.state}: ${this.detail}`;
        reject(
          unavailable(
            `${purpose}: no fingerprint module connected within ${Math.round(waitMs / 1000)} s (scanner ${why})`,
          ),
        );
      }, waitMs);
      this.requests.push(request);
      this.wakeup.notify();
    });
  }

  /** After a technician confirmed the attached module. */
  markTrusted(session: ModuleSession, info: ScannerInfo): void {
    session.info = info;
    session.trust = 'trusted';
    session.refusal = undefined;
    this.setState('connected', describeInfo(info));
    this.wakeup.notify();
  }

  private setState(state: ScannerState, detail: string | undefined): void {
    if (state === this.state && detail === this.detail) return;
    this.state = state;
    this.detail = detail;
    this.deps.onState(state, detail);
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped.signal.aborted) {
      let ending: Ending;
      try {
        ending = await this.connectAndServe();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'scanner supervisor fault; reconnecting');
        this.setState('disconnected', (error as Error).message);
        ending = { kind: 'failed', silent: false, connected: false };
      }
      if (ending.kind === 'stopped' || this.stopped.signal.aborted) return;
      if (ending.connected) attempt = 0;
      if (ending.silent) await this.deps.power.cycle();
      const delay = backoffDelay(attempt++, this.deps.backoff ?? DEFAULT_BACKOFF, this.deps.random);
      await sleep(delay, undefined, { signal: this.stopped.signal }).catch(() => undefined);
    }
  }

  private async connectAndServe(): Promise<Ending> {
    const scanner = this.deps.open();
    const loss = new LossWatch(scanner, () => this.wakeup.notify());
    this.opening = scanner;
    let info: ScannerInfo;
    let trust;
    try {
      info = await scanner.open();
      trust = await this.deps.identity.check(scanner, info);
    } catch (error) {
      await scanner.close().catch(() => undefined);
      if (this.stopped.signal.aborted) return { kind: 'stopped' };
      if (isDriverError(error, DriverErrorCode.WrongPassword)) {
        this.setState('refused', this.deps.identity.wrongPassword(scanner.family).message);
        return { kind: 'failed', silent: false, connected: false };
      }
      const reason = (error as Error).message;
      this.deps.logger[reason === this.lastOpenFailure ? 'debug' : 'warn'](
        { err: error },
        'cannot open the fingerprint module',
      );
      this.lastOpenFailure = reason;
      this.setState('disconnected', reason);
      for (const request of this.requests.filter((waiting) => waiting.failOnOpenError)) {
        this.requests.splice(this.requests.indexOf(request), 1);
        request.fail(unavailable(reason));
      }
      return { kind: 'failed', silent: isSilent(error), connected: false };
    } finally {
      this.opening = undefined;
    }
    const session: ModuleSession = {
      scanner,
      info: trust.trusted ? trust.info : info,
      trust: trust.trusted ? 'trusted' : 'refused',
      refusal: trust.trusted ? undefined : trust.message,
      loss,
    };
    this.session = session;
    this.lastOpenFailure = undefined;
    this.setState(trust.trusted ? 'connected' : 'refused', session.refusal ?? describeInfo(session.info));
    try {
      return await this.serve(session);
    } finally {
      this.session = undefined;
      await scanner.close().catch(() => undefined);
    }
  }

  private async serve(session: ModuleSession): Promise<Ending> {
    for (;;) {
      const woken = this.wakeup.next();
      if (this.stopped.signal.aborted) return { kind: 'stopped' };
      if (session.loss.error !== undefined) return this.lost(session.loss.error);
      const request = this.requests.shift();
      if (request !== undefined) {
        if (session.trust === 'refused' && !request.allowRefused)
          request.fail(mismatch(session.refusal ?? 'the module is not trusted'));
        else {
          if (request.usesFinger) this.fingerUsed = true;
          await request.execute(session);
        }
        continue;
      }
      const failure = await this.runWorker(session, woken);
      if (failure === undefined) continue;
      if (this.stopped.signal.aborted) return { kind: 'stopped' };
      if (session.loss.error !== undefined || isDriverError(failure, DriverErrorCode.Disconnected))
        return this.lost(session.loss.error ?? failure);
      this.deps.logger.error({ err: failure }, 'the fingerprint module failed; re-opening it');
      this.setState('disconnected', `module fault: ${failure.message}`);
      return { kind: 'failed', silent: isSilent(failure), connected: true };
    }
  }

  /** Runs the idle worker until something needs the module (or it fails); returns its error, if any. */
  private async runWorker(session: ModuleSession, woken: Promise<void>): Promise<Error | undefined> {
    const worker = this.worker;
    if (worker === undefined) {
      await Promise.race([woken, session.loss.happened]);
      return undefined;
    }
    const abort = new AbortController();
    const resume: IdleResume = { afterFingerUse: this.fingerUsed };
    this.fingerUsed = false;
    const work = worker.run(session.scanner, session.info, abort.signal, session.trust, resume).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    const first = await Promise.race([work.then((failure) => ({ failure })), woken, session.loss.happened]);
    if (first === undefined) {
      abort.abort();
      return work;
    }
    // A worker that ended on its own is not restarted in a tight loop: it waits for a change.
    if (first.failure === undefined) await Promise.race([woken, session.loss.happened]);
    return first.failure;
  }

  private lost(error: Error): Ending {
    this.deps.logger.warn({ err: error }, 'the fingerprint module disconnected; reconnecting');
    this.setState('disconnected', error.message);
    return { kind: 'failed', silent: false, connected: true };
  }
}

/** A module that stopped answering: worth a power cycle, unlike an unplugged one. */
function isSilent(error: unknown): boolean {
  return isDriverError(error, DriverErrorCode.Timeout) || isDriverError(error, DriverErrorCode.NoHandshake);
}

export function describeInfo(info: ScannerInfo): string {
  return `${info.model}, ${info.capacity} slots, ${info.baudRate} baud`;
}

function unavailable(message: string): AgentError {
  return new AgentError(ErrorCode.DeviceUnavailable, message);
}

function mismatch(message: string): AgentError {
  return new AgentError(ErrorCode.ModuleMismatch, message);
}
