import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  commandEventSchema,
  emulatorStateSchema,
  eventSchema,
  readySchema,
  releaseSchema,
  replugSchema,
  replySchema,
  templateSchema,
  type EmulatorEvent,
  type EmulatorState,
} from './emulatorMessages.js';
import { emulatorFlags, type EmulatorFamily, type EmulatorOptions, type FingerQuality } from './emulatorOptions.js';

/**
 * A fingerprint module emulator (drivers/<family>/emulator/*.py) on a real pseudo-terminal: the driver under
 * test opens `emulator.path` with serialport exactly as it would open /dev/serial/by-id/…, and
 * the test moves the finger, pulls the cable and inspects the module through this wrapper.
 */

export type { EmulatorEvent, EmulatorState } from './emulatorMessages.js';
export type { EmulatorFamily, EmulatorOptions, FingerQuality } from './emulatorOptions.js';
const SCRIPTS: Record<EmulatorFamily, string> = {
  r30x: fileURLToPath(new URL('../../drivers/r30x/emulator/r30x.py', import.meta.url)),
  gt521: fileURLToPath(new URL('../../drivers/gt521/emulator/gt521.py', import.meta.url)),
};
const REQUEST_TIMEOUT_MS = 10_000;
/** Python's start and the pty's set-up: seconds on a machine whose cores other test runs keep busy. */
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

interface EventWaiter {
  matches: (event: EmulatorEvent) => boolean;
  resolve: (event: EmulatorEvent) => void;
  reject: (error: Error) => void;
}

export class ModuleEmulator {
  /** Every event the emulator reported, in order (ready, command, held, ignored, unplugged…). */
  readonly events: EmulatorEvent[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly waiters = new Set<EventWaiter>();
  private readonly counts = new Map<string, number>();
  private nextId = 1;
  private stderr = '';
  private exitError: Error | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly path: string,
    private readonly ownedDir: string | null,
    private readonly description: string,
  ) {
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
  }

  static async start(options: EmulatorOptions): Promise<ModuleEmulator> {
    const ownedDir = options.dir ? null : mkdtempSync(join(tmpdir(), 'room-agent-emulator-'));
    const dir = options.dir ?? ownedDir!;
    const path = join(dir, `usb-room-agent-emulator-${options.family}-if00-port0`);
    const args = [SCRIPTS[options.family], '--link', path, ...emulatorFlags(options)];
    const python = options.python ?? 'python3';
    // No __pycache__ left in the source tree.
    const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    const child = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const emulator = new ModuleEmulator(
      child,
      path,
      ownedDir,
      `${options.family} emulator (${python} ${args.join(' ')})`,
    );
    try {
      await emulator.attach();
    } catch (error) {
      await emulator.stop();
      throw error;
    }
    return emulator;
  }

  /** The emulator's process id (a test may kill it to play a crashed device). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The pty slave the link points at now (changes at every replug); null while unplugged. */
  get slavePath(): string | null {
    const last = [...this.events]
      .reverse()
      .find((e) => e.event === 'ready' || e.event === 'replugged' || e.event === 'unplugged');
    return last && last.event !== 'unplugged' ? String(last.slave) : null;
  }

  place(finger: string, quality: FingerQuality = 'good'): Promise<void> {
    return this.request({ cmd: 'place', finger, quality }).then(() => undefined);
  }

  lift(): Promise<void> {
    return this.request({ cmd: 'lift' }).then(() => undefined);
  }

  /** Closes the pty master (the host's port hangs up) and removes the link. */
  unplug(): Promise<void> {
    return this.request({ cmd: 'unplug' }).then(() => undefined);
  }

  /** A new pty pair behind the same link, and a fresh power-on (volatile state and GT baud reset). */
  async replug(): Promise<{ path: string; slave: string }> {
    return replugSchema.parse(await this.request({ cmd: 'replug' }));
  }

  /** Power off and on with the cable in (a GPIO power switch): same pty, volatile state reset. */
  powerCycle(): Promise<void> {
    return this.request({ cmd: 'power_cycle' }).then(() => undefined);
  }

  /** Raw bytes to the host, exactly as given (no speed check). */
  noise(bytes: Uint8Array): Promise<void> {
    return this.request({ cmd: 'noise', hex: Buffer.from(bytes).toString('hex') }).then(() => undefined);
  }

  async state(): Promise<EmulatorState> {
    return emulatorStateSchema.parse(await this.request({ cmd: 'state' }));
  }

  /** The next `command` received (datasheet name) is executed but its reply is kept back until release(). */
  hold(command: string): Promise<void> {
    return this.request({ cmd: 'hold', command }).then(() => undefined);
  }

  /** Sends a held reply (if any); resolves whether one was held. */
  async release(): Promise<boolean> {
    return releaseSchema.parse(await this.request({ cmd: 'release' })).released;
  }

  /** Unplugs after the n-th data packet of the next multi-packet transfer (either direction). */
  unplugAfterDataPackets(n: number): Promise<void> {
    return this.request({ cmd: 'unplug_after_data_packets', n }).then(() => undefined);
  }

  /** Puts a finger's template straight into a library slot (test set-up without an enrollment). */
  storeTemplate(slot: number, finger: string): Promise<void> {
    return this.request({ cmd: 'store_template', slot, finger }).then(() => undefined);
  }

  /** The template this module would produce for a finger (size per model). */
  async template(finger: string): Promise<Buffer> {
    return Buffer.from(templateSchema.parse(await this.request({ cmd: 'template', finger })).hex, 'hex');
  }

  /** How many commands with this datasheet name the module has received so far. */
  commandCount(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  /**
   * Resolves (with the count) once more than `afterCount` commands named `name` were received;
   * the default 0 means "one was ever received". Pass commandCount(name) to wait for the next one.
   */
  async waitForCommand(name: string, timeoutMs: number, afterCount = 0): Promise<number> {
    if (this.commandCount(name) > afterCount) return this.commandCount(name);
    await this.waitForEvent(
      (e) => e.event === 'command' && e.name === name && Number(e.count) > afterCount,
      timeoutMs,
      `a ${name} command (after ${afterCount})`,
    );
    return this.commandCount(name);
  }

  /** Resolves with the first event from `fromIndex` in `events` on that matches. */
  waitForEvent(
    matches: (event: EmulatorEvent) => boolean,
    timeoutMs: number,
    description = 'an event',
    fromIndex = this.events.length,
  ): Promise<EmulatorEvent> {
    const seen = this.events.slice(fromIndex).find(matches);
    if (seen) return Promise.resolve(seen);
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) => {
      const waiter: EventWaiter = {
        matches,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.description}: no ${description} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Ends the emulator (it unplugs and removes its link) and removes the directory it owns. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin?.end();
      const killer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(killer);
    }
    if (this.ownedDir) rmSync(this.ownedDir, { recursive: true, force: true });
  }

  private attach(): Promise<void> {
    const child = this.child;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.trim()) this.onLine(line);
    });
    child.stdin!.on('error', () => undefined); // a dead child is reported through 'close' with its stderr
    return new Promise((resolve, reject) => {
      const failStart = (error: Error): void => reject(error);
      child.once('error', (error: NodeJS.ErrnoException) => {
        this.fail(
          error.code === 'ENOENT'
            ? new Error(
                `${child.spawnfile} was not found: the module emulators need Python 3 (e.g. apt install python3)`,
              )
            : new Error(`${this.description} could not start: ${error.message}`),
        );
        failStart(this.exitError!);
      });
      child.once('close', (code, signal) => {
        this.fail(
          new Error(
            `${this.description} exited (code ${code}, signal ${signal}); stderr:\n${this.stderr.trim() || '(empty)'}`,
          ),
        );
        failStart(this.exitError!);
      });
      this.waitForEvent((e) => e.event === 'ready', READY_TIMEOUT_MS, 'ready line', 0)
        .then((event) => readySchema.parse(event))
        .then(() => resolve(), reject);
    });
  }

  private onLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.fail(new Error(`${this.description} wrote a line that is not JSON: ${line}`));
      return;
    }
    const reply = replySchema.safeParse(message);
    if (reply.success) {
      const pending = this.pending.get(reply.data.id);
      this.pending.delete(reply.data.id);
      if (reply.data.ok) pending?.resolve(reply.data.result);
      else pending?.reject(new Error(`${this.description} refused the request: ${reply.data.error}`));
      return;
    }
    const event = eventSchema.parse(message);
    const command = commandEventSchema.safeParse(event);
    if (command.success) this.counts.set(command.data.name, command.data.count);
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.matches(event)) {
        this.waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  }

  private request(body: Record<string, unknown>): Promise<unknown> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.description}: no answer to ${String(body.cmd)} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.stdin!.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }

  private fail(error: Error): void {
    this.exitError ??= error;
    for (const pending of this.pending.values()) pending.reject(this.exitError);
    this.pending.clear();
    for (const waiter of this.waiters) waiter.reject(this.exitError);
    this.waiters.clear();
  }
}
