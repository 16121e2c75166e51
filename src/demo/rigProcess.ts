/**
 * The stand-ins for a room's and a county's devices that the demo and the camera tests run (the
 * camera emulator, the media server, a stream watcher's ffmpeg) as child processes that cannot
 * outlive whoever started them: each runs in its own process group, so a signal reaches all of
 * it, and gets SIGKILL from the kernel when its parent dies, however it dies (util-linux
 * `setpriv --pdeathsig KILL`). What they print is kept (its tail) for a failure message; the
 * demo's also get a pid file, so the next demo in the folder ends what a SIGKILLed one left.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { deathSignalWrapper, writePidFile } from '../util/processGroup.js';

/** What a failure message shows of a process's output: its tail. */
const OUTPUT_TAIL_CHARS = 64 * 1024;

export interface RigProcess {
  readonly pid: number;
  readonly exited: Promise<void>;
  running(): boolean;
  /** The tail of stdout and stderr together, for a failure message. */
  output(): string;
  /** Sends `signal` to the process group. */
  signal(signal: NodeJS.Signals): void;
  /** `signal` to the group (and SIGCONT, in case it is paused), SIGKILL after `graceMs`; resolves once it has exited. */
  end(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export interface RigSpawnOptions {
  /** Each line the process writes on stdout. */
  onLine?: (line: string) => void;
  /**
   * Stdout as bytes, each chunk as it comes (a media stream a process writes there): then it is
   * neither split into lines nor kept in output(), which holds stderr alone.
   */
  onData?: (chunk: Buffer) => void;
  env?: NodeJS.ProcessEnv;
  /** Records the pid as `<runDir>/<name>.pid` while the process runs. */
  pidFile?: { runDir: string; name: string };
}

export function spawnRig(command: string, args: readonly string[], options: RigSpawnOptions = {}): RigProcess {
  const [program, ...rest] = [...deathSignalWrapper(), command, ...args];
  const child: ChildProcess = spawn(program!, rest, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  const pidFile =
    options.pidFile === undefined || child.pid === undefined
      ? undefined
      : writePidFile(options.pidFile.runDir, options.pidFile.name, child.pid, [command, ...args]);
  let output = '';
  const record = (text: string): void => {
    output += text;
    if (output.length > 2 * OUTPUT_TAIL_CHARS) output = output.slice(-OUTPUT_TAIL_CHARS);
  };
  child.stderr!.on('data', (chunk: Buffer) => record(chunk.toString()));
  if (options.onData === undefined) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      record(`${line}\n`);
      options.onLine?.(line);
    });
  } else child.stdout!.on('data', options.onData);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
    record(`${error.message}\n`);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      if (pidFile !== undefined) rmSync(pidFile, { force: true });
      resolve();
    }),
  );
  const running = (): boolean => spawnError === undefined && child.exitCode === null && child.signalCode === null;
  const signal = (name: NodeJS.Signals): void => {
    if (!running() || child.pid === undefined) return;
    try {
      process.kill(-child.pid, name);
    } catch {
      // The group is already gone.
    }
  };
  return {
    pid: child.pid ?? -1,
    exited,
    running,
    output: () => output.slice(-OUTPUT_TAIL_CHARS),
    signal,
    async end(name = 'SIGTERM', graceMs = 5_000) {
      signal(name);
      signal('SIGCONT');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

let ticksPerSecond: number | undefined;

/** CPU time (user + system) a process has used so far, in seconds, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
