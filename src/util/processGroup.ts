import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Child processes that cannot outlive the process that started them: each runs as the leader of
 * its own process group (so a stop reaches what it started in turn), gets SIGKILL from the kernel
 * when its parent dies however it dies (setpriv --pdeathsig, where util-linux has it: Node cannot
 * set a parent-death signal itself), and leaves a pid file, so the next start in the same run
 * folder ends what a SIGKILLed parent could not.
 *
 * A pid file holds the pid and a sha256 of the command line the process was started with (the
 * hash, because a camera URL in it carries a password). A leftover is ended only while
 * /proc/PID/cmdline still hashes the same: a pid the system has reused since is never hit.
 */
export interface GroupSpawnSpec {
  /** Names the pid file. */
  name: string;
  command: string;
  args: readonly string[];
  /** Where the pid file goes. */
  runDir: string;
  stdio: StdioOptions;
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GroupLeader {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the leader has exited (its pid file is gone by then). */
  readonly exited: Promise<ProcessExit>;
}

/** How long ending an earlier run's leftovers waits for them to be gone. */
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

/**
 * Starts `command` through the death-signal wrapper as a process group leader and writes its pid
 * file; rejects when it cannot be spawned at all (ENOENT of the wrapper or, without one, of the
 * command). With the wrapper, a missing command shows as the wrapper's exit code 127 instead.
 */
export async function spawnGroupLeader(spec: GroupSpawnSpec): Promise<GroupLeader> {
  mkdirSync(spec.runDir, { recursive: true });
  const [command, ...args] = [...deathSignalWrapper(), spec.command, ...spec.args];
  const child = spawn(command!, args, {
    detached: true,
    stdio: spec.stdio,
    env: spec.env ?? process.env,
    cwd: spec.cwd,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid!;
  let pidFile: string;
  try {
    pidFile = writePidFile(spec.runDir, spec.name, pid, [spec.command, ...spec.args]);
  } catch (error) {
    // A child nobody can stop or find again must not run on (a full or read-only card refused the pid file).
    signalGroup(pid, 'SIGKILL');
    throw error;
  }
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      rmSync(pidFile, { force: true });
      resolve({ code, signal });
    });
  });
  return { child, pid, exited };
}

/**
 * Records `pid` as `name` in `runDir`, with the fingerprint of `argv`: the command line the
 * process shows once the wrapper has handed over to it. Returns the file's path.
 */
export function writePidFile(runDir: string, name: string, pid: number, argv: readonly string[]): string {
  const path = join(runDir, `${name}.pid`);
  writeFileSync(path, `${pid}\n${argvFingerprint(argv)}\n`);
  return path;
}

/** Signals the process group led by `pid`; a group that is already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Ends the process groups an earlier run in `runDir` left behind (its parent was SIGKILLed on a
 * system without setpriv, or the kernel had not delivered the death signal yet), each only while
 * its command line is still the one its pid file recorded. Returns the names of what was ended.
 */
export async function endLeftovers(runDir: string): Promise<string[]> {
  if (!existsSync(runDir)) return [];
  const ended: string[] = [];
  const pids: number[] = [];
  for (const file of readdirSync(runDir).filter((entry) => entry.endsWith('.pid'))) {
    const name = file.slice(0, -'.pid'.length);
    const path = join(runDir, file);
    const [pidText, recorded] = readFileSync(path, 'utf8').split('\n');
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid > 1 && recorded !== undefined && runsRecordedCommand(pid, recorded)) {
      signalGroup(pid, 'SIGKILL');
      pids.push(pid);
      ended.push(name);
    }
    rmSync(path, { force: true });
  }
  // SIGKILL is delivered at once, but a dying process still holds its files for a moment.
  const until = Date.now() + LEFTOVER_WAIT_MS;
  while (pids.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return ended;
}

/**
 * True while `pid` runs the command its pid file recorded: as the command itself, or still as the
 * death-signal wrapper about to hand over to it (a leftover of a parent killed at that moment).
 */
function runsRecordedCommand(pid: number, recorded: string): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return false;
  }
  const wrapper = deathSignalWrapper();
  const wrapped = wrapper.length > 0 && wrapper.every((arg, index) => argv[index] === arg);
  return [argv, ...(wrapped ? [argv.slice(wrapper.length)] : [])].some(
    (candidate) => argvFingerprint(candidate) === recorded,
  );
}

/** sha256 of the command line as /proc/PID/cmdline holds it: each argument ended by a NUL. */
function argvFingerprint(argv: readonly string[]): string {
  return createHash('sha256')
    .update(argv.map((arg) => `${arg}\0`).join(''))
    .digest('hex');
}
