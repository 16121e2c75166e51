import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The demo's child processes (the broker, the agent) in a known state: each runs in its own
 * process group (detached), so a stop reaches what it started itself (the agent's module
 * emulator); each gets SIGKILL from the kernel when the demo dies, however it dies (setpriv
 * --pdeathsig, where util-linux has it); each leaves a pid file, so the next demo in the same
 * folder ends what a SIGKILLed one could not.
 */
export interface ChildSpec {
  /** Names the pid file and the log lines. */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr go here (appended). */
  logFile: string;
  /** Where the pid file goes. */
  runDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How long a stopping child gets between SIGTERM and SIGKILL, unless the caller says. */
const DEFAULT_GRACE_MS = 3_000;

/** How long ending an earlier demo's leftovers waits for them to be gone. */
const LEFTOVER_WAIT_MS = 2_000;

let wrapper: string[] | undefined;

/** `setpriv --pdeathsig KILL` when this system's setpriv knows the flag (util-linux ≥ 2.33); else nothing. */
export function deathSignalWrapper(): string[] {
  if (wrapper === undefined) {
    const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' });
    wrapper = probe.status === 0 ? ['setpriv', '--pdeathsig', 'KILL'] : [];
  }
  return wrapper;
}

export class SupervisedChild {
  readonly exited: Promise<ChildExit>;
  private exit: ChildExit | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly pidFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        rmSync(pidFile, { force: true });
        resolve(this.exit);
      });
    });
  }

  /** Starts the child; throws when it cannot be spawned at all (ENOENT and the like). */
  static async start(spec: ChildSpec): Promise<SupervisedChild> {
    mkdirSync(spec.runDir, { recursive: true });
    const log = openSync(spec.logFile, 'a');
    const [command, ...args] = [...deathSignalWrapper(), spec.command, ...spec.args];
    let child: ChildProcess;
    try {
      child = spawn(command!, args, {
        detached: true,
        stdio: ['ignore', log, log],
        env: spec.env ?? process.env,
        cwd: spec.cwd,
      });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(log);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pidFile = join(spec.runDir, `${spec.name}.pid`);
    writeFileSync(pidFile, `${child.pid}\n`);
    return new SupervisedChild(spec.name, child, pidFile);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /**
   * SIGTERM to the child, SIGKILL to its whole group after `graceMs`; resolves once the child is
   * gone. SIGTERM goes to the child alone: it stops what it started itself, in its own order (the
   * agent's module emulator signalled at the same time would look like a pulled cable).
   */
  async stop(graceMs = DEFAULT_GRACE_MS): Promise<ChildExit> {
    if (this.exit !== undefined) {
      // The leader is gone; what it started may not be.
      signalGroup(this.pid, 'SIGKILL');
      return this.exit;
    }
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(killer);
    signalGroup(this.pid, 'SIGKILL');
    return exit;
  }

  /** SIGKILL to the whole group at once: the last resort of a stop that ran out of time. */
  kill(): void {
    signalGroup(this.pid, 'SIGKILL');
  }
}

/** Signals the process group led by `pid`; a group that is already gone is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Ends the process groups an earlier demo in this folder left behind (it was SIGKILLed on a
 * system without setpriv, or the kernel had not delivered the death signal yet). A pid is ended
 * only while its command line still names `marker` (the demo folder): a pid reused by an
 * unrelated process since is left alone. Returns the names of what was ended.
 */
export async function endLeftovers(runDir: string, marker: string): Promise<string[]> {
  if (!existsSync(runDir)) return [];
  const ended: string[] = [];
  const pids: number[] = [];
  for (const file of readdirSync(runDir).filter((name) => name.endsWith('.pid'))) {
    const path = join(runDir, file);
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 1 && commandLine(pid).includes(marker)) {
      signalGroup(pid, 'SIGKILL');
      pids.push(pid);
      ended.push(file.slice(0, -'.pid'.length));
    }
    rmSync(path, { force: true });
  }
  // SIGKILL is delivered at once, but a dying process still holds its files for a moment.
  const until = Date.now() + LEFTOVER_WAIT_MS;
  while (pids.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return ended;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
