import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger } from '../../log.js';
import { signalGroup, spawnGroupLeader, type GroupLeader } from '../../util/processGroup.js';
import { settleWithin } from '../../util/settleWithin.js';
import { CameraError } from '../errors.js';
import { maskCameraText, urlSecrets, withoutUrls } from '../mask.js';
import type { FfmpegExit } from '../types.js';
import { StderrTail } from './stderrTail.js';

/** How long after the exit the pipes may take to close (a grandchild could hold them open for ever). */
const PIPE_DRAIN_MS = 1_000;

/** Processes started by this agent so far: numbers the pid files. */
let started = 0;

/** How long each step of a stop (`q`, then SIGINT) waits before the next, unless the caller says. */
export const STOP_GRACE_MS = 3_000;

export interface MediaProcessSpec {
  /** The ffmpeg or ffprobe binary: a path, or a name looked up in PATH. */
  binary: string;
  args: readonly string[];
  /** Names the pid file (with a number that keeps two runs of one name apart) and the log lines. */
  name: string;
  runDir: string;
  /** Literal secrets masked in the kept stderr lines and the log, besides the userinfo of any URL (and its password wherever it appears). */
  secrets?: readonly string[] | undefined;
  /** Every chunk of stdout; stdout is read whether or not anyone listens. */
  onStdout?: ((chunk: string) => void) | undefined;
  logger?: Logger | undefined;
}

/**
 * One ffmpeg or ffprobe process: the leader of its own process group that dies with the agent
 * (src/util/processGroup.ts), stdin a pipe for `q`, stdout and stderr always drained (a full pipe
 * blocks ffmpeg, and a blocked ffmpeg looks like a stalled camera), stderr kept as its last
 * masked lines.
 */
export class MediaProcess {
  readonly exited: Promise<FfmpegExit>;
  private exit: FfmpegExit | undefined;

  private constructor(
    private readonly leader: GroupLeader,
    private readonly tail: StderrTail,
  ) {
    // The exit can be reported before the pipes have given their last bytes (the error line that
    // ended ffmpeg, the last progress block): the run ends once they are closed too, or soon after.
    const closed = new Promise((resolve) => leader.child.once('close', resolve));
    this.exited = leader.exited.then(async (exit) => {
      await settleWithin(closed, PIPE_DRAIN_MS);
      tail.flush();
      this.exit = exit;
      return exit;
    });
  }

  /** Starts the process; a binary that is not there is a CameraError `ffmpeg-missing`. */
  static async start(spec: MediaProcessSpec): Promise<MediaProcess> {
    if (!executable(spec.binary)) throw new CameraError('ffmpeg-missing', undefined, { binary: spec.binary });
    const leader = await spawnGroupLeader({
      name: `${spec.name.replace(/[^\w.-]/g, '_')}-${++started}`,
      command: spec.binary,
      args: spec.args,
      runDir: spec.runDir,
      stdio: ['pipe', 'pipe', 'pipe'],
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES')
        throw new CameraError('ffmpeg-missing', undefined, { binary: spec.binary });
      // Node's spawn error carries the arguments (a camera URL with its password): only its code goes on.
      throw new CameraError('ffmpeg-error', error.code, { binary: spec.binary, code: error.code ?? null });
    });
    const { child } = leader;
    const secrets = [...(spec.secrets ?? []), ...spec.args.flatMap(urlSecrets)];
    const tail = new StderrTail(secrets);
    // A stop's `q` can meet a process that has just exited: EPIPE is no fault.
    child.stdin!.on('error', () => undefined);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => spec.onStdout?.(chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => tail.push(chunk));
    const run = new MediaProcess(leader, tail);
    const logger = spec.logger?.child({ process: spec.name, pid: leader.pid });
    // URLs cut to their scheme: a push URL's path is often the stream key itself.
    logger?.debug({ args: spec.args.map((arg) => withoutUrls(maskCameraText(arg, secrets))) }, 'ffmpeg started');
    void run.exited.then((exit) =>
      logger?.debug({ ...exit, lastLine: withoutUrls(tail.lines().at(-1) ?? '') }, 'ffmpeg exited'),
    );
    return run;
  }

  get pid(): number {
    return this.leader.pid;
  }

  stderrTail(): string[] {
    return this.tail.lines();
  }

  /**
   * `q` on stdin (ffmpeg finishes its outputs), then one SIGINT after `graceMs`, then SIGKILL to
   * the whole group after another `graceMs`; resolves once the process is gone. What the process
   * started itself is killed with the group either way.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<FfmpegExit> {
    if (this.exit === undefined) {
      this.leader.child.stdin!.end('q\n');
      const interrupt = setTimeout(() => this.leader.child.kill('SIGINT'), graceMs);
      const kill = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), 2 * graceMs);
      await this.exited;
      clearTimeout(interrupt);
      clearTimeout(kill);
    }
    signalGroup(this.pid, 'SIGKILL');
    return this.exited;
  }
}

/** True when `binary` (a path, or a name in PATH) is an executable file. */
function executable(binary: string): boolean {
  const candidates = binary.includes('/')
    ? [binary]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir || '.', binary));
  return candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
