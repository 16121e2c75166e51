import { closeSync, openSync } from 'node:fs';
import { signalGroup, spawnGroupLeader, type GroupLeader, type ProcessExit } from '../util/processGroup.js';

/**
 * The demo's child processes (the broker, the agent) in a known state: each is a process group
 * leader that dies with the demo and leaves a pid file (src/util/processGroup.ts), so a stop
 * reaches what it started itself (the agent's module emulator) and the next demo in the same
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

export type ChildExit = ProcessExit;

/** How long a stopping child gets between SIGTERM and SIGKILL, unless the caller says. */
const DEFAULT_GRACE_MS = 3_000;

export class SupervisedChild {
  readonly exited: Promise<ChildExit>;
  private exit: ChildExit | undefined;

  private constructor(
    readonly name: string,
    private readonly leader: GroupLeader,
  ) {
    this.exited = leader.exited.then((exit) => (this.exit = exit));
  }

  /** Starts the child; throws when it cannot be spawned at all (ENOENT and the like). */
  static async start(spec: ChildSpec): Promise<SupervisedChild> {
    const log = openSync(spec.logFile, 'a');
    try {
      const leader = await spawnGroupLeader({ ...spec, stdio: ['ignore', log, log] });
      return new SupervisedChild(spec.name, leader);
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(log);
    }
  }

  get pid(): number {
    return this.leader.pid;
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
    this.leader.child.kill('SIGTERM');
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
