import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { CENTER_PACKAGE, packageRoot } from '../util/packageRoot.js';
import { scannerText } from './messages.js';

/**
 * The no-hardware demo (scanner.driver emulator): the R30x module emulator the tests use, on a
 * real pseudo-terminal at <dataDir>/emulator.tty, driven by the real R30x driver. Fingers are
 * placed and lifted through its JSON-lines control channel on stdin (drivers/emulator-common/README.md).
 */
/**
 * Relative to the package root, not to this module: the compiled daemon runs from dist/, which
 * holds only JavaScript, while the emulator is Python beside the driver it imitates.
 */
const SCRIPT = join('drivers', 'r30x', 'emulator', 'r30x.py');
/** The R503 has the aura LED, so the demo shows the module-light feedback too. */
const MODEL = 'r503';
const REQUEST_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

const replySchema = z.object({ id: z.number(), ok: z.boolean(), error: z.string().optional() });
const eventSchema = z.looseObject({ event: z.string() });

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The emulator's script where this installation has it: the source tree, or a machine with the
 * room-agent-center package. Undefined on a room's device, which has neither.
 */
export function installedEmulatorScript(): string | undefined {
  const root = packageRoot();
  const script = root === undefined ? undefined : join(root, SCRIPT);
  return script !== undefined && existsSync(script) ? script : undefined;
}

/** What `config check` and the daemon's start say when scanner.driver names a missing emulator. */
export const emulatorNotInstalledText = (): string => scannerText('emulatorNotInstalled', { package: CENTER_PACKAGE });

export class EmulatorProcess {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly link: string,
  ) {}

  /** Starts the emulator and resolves once its pty is published at `<dataDir>/emulator.tty`. */
  static async start(dataDir: string, logger: Logger): Promise<EmulatorProcess> {
    const script = installedEmulatorScript();
    if (script === undefined) {
      throw new AgentError(ErrorCode.EmulatorUnavailable, emulatorNotInstalledText(), { package: CENTER_PACKAGE });
    }
    const link = join(dataDir, 'emulator.tty');
    const child = spawn('python3', [script, '--link', link, '--model', MODEL], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    const emulator = new EmulatorProcess(child, link);
    try {
      await emulator.attach(logger.child({ module: 'emulator' }));
    } catch (error) {
      // An emulator that never became ready must not outlive this attempt.
      await emulator.stop();
      throw error;
    }
    return emulator;
  }

  place(finger: string): Promise<void> {
    return this.request({ cmd: 'place', finger });
  }

  lift(): Promise<void> {
    return this.request({ cmd: 'lift' });
  }

  /** Closing stdin makes the emulator unplug, remove its link and exit. */
  async stop(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const gone = new Promise((resolve) => this.child.once('close', resolve));
    this.child.stdin?.end();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(killer);
  }

  private attach(logger: Logger): Promise<void> {
    const { child } = this;
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.stdin!.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(this.failure(scannerText('emulatorNotReady', { seconds: REQUEST_TIMEOUT_MS / 1000 }), stderr)),
        REQUEST_TIMEOUT_MS,
      );
      child.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          error.code === 'ENOENT'
            ? new AgentError(ErrorCode.EmulatorUnavailable, scannerText('emulatorNoPython'))
            : this.failure(scannerText('emulatorCannotStart', { reason: error.message }), stderr),
        );
      });
      child.once('close', (code) => {
        this.exited = true;
        clearTimeout(timer);
        const error = this.failure(scannerText('emulatorExited', { code: String(code) }), stderr);
        for (const pending of this.pending.values()) pending.reject(error);
        this.pending.clear();
        reject(error);
      });
      let buffered = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (buffered + chunk).split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const message = parseJson(line);
          const reply = replySchema.safeParse(message);
          if (reply.success) this.settle(reply.data.id, reply.data.ok, reply.data.error);
          else if (eventSchema.safeParse(message).data?.event === 'ready') {
            clearTimeout(timer);
            logger.info({ link: this.link, model: MODEL }, 'fingerprint module emulator running (no-hardware demo)');
            resolve();
          }
        }
      });
    });
  }

  private settle(id: number, ok: boolean, error: string | undefined): void {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    if (ok) pending?.resolve();
    else
      pending?.reject(
        new AgentError(
          ErrorCode.UsageError,
          scannerText('emulatorRefused', { reason: error ?? scannerText('noReason') }),
        ),
      );
  }

  private request(body: Record<string, unknown>): Promise<void> {
    if (this.exited)
      return Promise.reject(new AgentError(ErrorCode.EmulatorUnavailable, scannerText('emulatorStopped')));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new AgentError(
            ErrorCode.EmulatorUnavailable,
            scannerText('emulatorSilent', { command: String(body.cmd), seconds: REQUEST_TIMEOUT_MS / 1000 }),
          ),
        );
      }, REQUEST_TIMEOUT_MS);
      const done = (): void => clearTimeout(timer);
      this.pending.set(id, { resolve: () => (done(), resolve()), reject: (error) => (done(), reject(error)) });
      this.child.stdin!.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }

  private failure(message: string, stderr: string): AgentError {
    const tail = stderr.trim().split('\n').slice(-5).join(' | ');
    return new AgentError(ErrorCode.EmulatorUnavailable, tail === '' ? message : `${message}: ${tail}`);
  }
}

/** The emulator's own lines are JSON; anything else (never expected) is ignored. */
function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
