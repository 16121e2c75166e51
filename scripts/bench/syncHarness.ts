/**
 * What the sync benchmarks share: a scope that removes temp directories and stops brokers and
 * child processes however a run ends (also on Ctrl-C), and child processes for the two halves.
 * The room side and the center run in processes of their own, as they do in a county: each gets
 * its own event loop and core, and its peak RSS (getrusage maxrss) is its own.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildReport, ChildRequest, Job, JobResult } from './syncJobs.js';

type Step = () => Promise<void> | void;

/** How long a child that has reported may take to exit before it is killed. */
const EXIT_GRACE_MS = 5_000;

/** Cleanup in reverse order of setup; every step runs even when an earlier one fails. */
export class Scope {
  private readonly steps: Step[] = [];
  private readonly onSignal = (): void => {
    process.stderr.write('interrupted: cleaning up brokers, child processes and temp directories\n');
    void this.close().finally(() => process.exit(130));
  };

  constructor() {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  defer(step: Step): void {
    this.steps.push(step);
  }

  /** A temp directory (under ROOM_AGENT_BENCH_DIR when set), removed on close. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(process.env.ROOM_AGENT_BENCH_DIR ?? tmpdir(), prefix));
    this.defer(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async close(): Promise<void> {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`cleanup step failed: ${(error as Error).message}\n`);
      }
    }
  }
}

export async function withScope<T>(run: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  try {
    return await run(scope);
  } finally {
    await scope.close();
  }
}

/**
 * A job in a child process. `result()` resolves with what the job reports when it finishes (a
 * room job by itself, a center job after `finish()`); a timeout kills the child and rejects with
 * the job's last progress, so a stuck run says how far it got.
 */
export class JobProcess<J extends Job> {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly done: Promise<JobResult<J>>;
  private lastProgress = 'no progress reported';

  constructor(scope: Scope, job: J, what: string, timeoutMs: number) {
    this.child = fork(new URL('./syncJobProcess.js', import.meta.url), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    scope.defer(() => this.end());
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => (markReady = resolve));
    this.done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(
          new Error(
            `${what} did not finish within ${Math.round(timeoutMs / 1000)} s (${this.lastProgress}); raise the limit or use a smaller run`,
          ),
        );
      }, timeoutMs);
      const settle = (): void => clearTimeout(timer);
      this.child.on('message', (message: ChildReport) => {
        if (message.type === 'ready') markReady();
        else if (message.type === 'progress') this.lastProgress = message.text;
        else if (message.type === 'result') {
          settle();
          resolve(message.result as JobResult<J>);
        } else {
          settle();
          reject(new Error(`${what} failed: ${message.message}`));
        }
      });
      this.child.once('exit', (code, signal) => {
        settle();
        reject(new Error(`${what} exited (${signal ?? code}) before reporting a result (${this.lastProgress})`));
      });
    });
    // A rejection nobody awaits yet (the center job while the rooms run) must not crash the bench.
    this.done.catch(() => undefined);
    this.send({ type: 'start', job });
  }

  /** Resolves once the job is set up (a center subscribed, rooms' services created). */
  async started(): Promise<void> {
    await Promise.race([this.ready, this.done.then(() => undefined)]);
  }

  /** Asks a long-running job (the center) to stop and report. */
  finish(): Promise<JobResult<J>> {
    this.send({ type: 'finish' });
    return this.done;
  }

  result(): Promise<JobResult<J>> {
    return this.done;
  }

  private send(request: ChildRequest): void {
    if (this.child.connected) this.child.send(request);
  }

  /** A child that reported leaves by itself: give it a moment (a profiler writes its file at exit), then kill it. */
  private async end(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, EXIT_GRACE_MS).unref())]);
    this.kill();
  }

  private kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

export function perSecond(count: number, ms: number): number {
  return (count / ms) * 1000;
}

export function mebibytes(bytes: number): number {
  return bytes / (1024 * 1024);
}

/** Progress on stderr (the results table goes to stdout): a long run shows what it is doing. */
export function phase(bench: string, text: string): void {
  process.stderr.write(`[${bench} ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** A whole-number `--name=value` option of the bench command line, or the default. */
export function countOption(options: ReadonlyMap<string, string>, name: string, fallback: number): number {
  const text = options.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1, not "${text}"`);
  return value;
}

/** Runs both, `second` first when `swap` (to alternate a run and its baseline); results in the order given. */
export async function inOrder<A, B>(swap: boolean, first: () => Promise<A>, second: () => Promise<B>): Promise<[A, B]> {
  if (!swap) {
    const a = await first();
    return [a, await second()];
  }
  const b = await second();
  return [await first(), b];
}

/** The middle value (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
