import type { Logger } from '../log.js';
import { backoffDelay, type BackoffPolicy, type RandomSource } from '../util/backoff.js';
import { withoutUrls } from './mask.js';
import type { PushWish } from './pushPolicy.js';
import type {
  CameraProbe,
  CameraProblem,
  CameraReport,
  CameraState,
  FfmpegExit,
  FfmpegLauncher,
  FfmpegRun,
  ProbedStream,
  PushPlan,
} from './types.js';

/** The watchdog's period: wishes, stalls and exits are looked at once a second (Frigate's camera watchdog does the same). */
export const TICK_MS = 1000;
/** The window of the restart cap. */
const RESTART_WINDOW_MS = 60_000;
/** A push live this long has recovered: the next failure backs off from the shortest delay again. */
const STABLE_MS = 30_000;
/** Between probes of a camera in 'failed': someone may reconfigure it, but a restart cannot heal it. */
export const FAILED_REPROBE_MS = 5 * 60_000;
/**
 * ffmpeg's time after `q`, then after SIGINT, before its process group is killed: a live push has
 * no file to finish, and the daemon's whole stop must fit in STOP_DEADLINE_MS (5 s) even when a
 * stalled media server keeps ffmpeg from ending on `q`.
 */
const STOP_GRACE_MS = 1500;

/**
 * Short enough that a camera back from an outage is live again within about ten seconds (a
 * probe and ffmpeg's own start take about three seconds each on a live camera), long enough that
 * the per-minute cap is the brake only for an ffmpeg that fails at once; the jitter spreads the
 * rooms of a county that lost their media server together.
 */
export const PUSH_BACKOFF: BackoffPolicy = { minMs: 1000, maxMs: 3000, jitter: 0.3 };

/** What a restart cannot heal: the camera (or its config) must change. The camera is re-probed rarely. */
const NEEDS_A_CHANGE: ReadonlySet<CameraProblem> = new Set([
  'h265-over-rtmp',
  'unsupported-video',
  'no-video',
  'bad-url',
  // Many cameras lock an address out after a few failed logins: retrying a wrong password makes it worse.
  'auth-failed',
  'not-found',
  'ffmpeg-missing',
]);

/** Problems of the media server's side: the camera is fine, a new probe would learn nothing. */
const SERVER_SIDE: ReadonlySet<CameraProblem> = new Set(['server-refused', 'server-unreachable']);

/** What a supervised ffmpeg does with a camera: the live push, or the meeting recording. */
export type MediaPurpose = 'push' | 'record';

export interface MediaTarget {
  name: string;
  /** Names the runs' pid files and the log lines: `push-hall`, "camera record started". */
  purpose: MediaPurpose;
  /** The stream read: the push's sub-stream when the camera has one, the main stream for a recording. */
  inputUrl: string;
  stallTimeoutSeconds: number;
  maxRestartsPerMinute: number;
}

/** A problem and the (masked) line that names it. */
export interface Diagnosis {
  problem: CameraProblem;
  line: string;
}

/** The camera-specific work, injected so the state machine is tested with fakes. */
export interface MediaTools {
  launcher: FfmpegLauncher;
  probe: CameraProbe;
  /** How the probed stream is carried; throws a camera error ('h265-over-rtmp', 'no-video') when it cannot be. */
  plan(probed: ProbedStream): PushPlan;
  /** ffmpeg's arguments for one run (a recording's name a new file prefix each time). */
  args(plan: PushPlan, probed: ProbedStream): string[];
  /** What an error of the probe, the plan or the launcher says, masked. */
  diagnoseError(error: unknown): Diagnosis;
  /** What ffmpeg's last stderr lines (already masked) say went wrong, if they say it. */
  diagnoseStderr(lines: readonly string[]): Diagnosis | undefined;
}

export interface MediaSupervisorOptions {
  target: MediaTarget;
  tools: MediaTools;
  /** Asked every tick: whether the push (or recording: `push` is "run") is wanted now. */
  wish(): PushWish;
  /** Called when the state or the problem changes. */
  onChange(): void;
  /** Monotonic milliseconds. */
  now(): number;
  random: RandomSource;
  logger: Logger;
  backoff?: BackoffPolicy | undefined;
}

/** A last error line longer than this is cut: it travels in every health message. */
const MAX_LINE = 300;

/** A line for health, status and the county board: no URL (see withoutUrls), at most MAX_LINE long. */
export function reportLine(line: string): string {
  const bare = withoutUrls(line);
  return bare.length <= MAX_LINE ? bare : `${bare.slice(0, MAX_LINE - 1)}…`;
}

type RunOutcome = { kind: 'exit'; exit: FfmpegExit } | { kind: 'stall' } | { kind: 'unwanted' };

/**
 * One camera's push or recording: probes the camera, runs ffmpeg, watches its frame count every second and
 * restarts it when it stalls or exits (any exit, even code 0: ffmpeg exits 0 when its input times
 * out), with jittered backoff and at most maxRestartsPerMinute starts in any minute. What a restart
 * cannot heal parks the camera in 'failed' with the problem until a rare re-probe.
 */
export class MediaSupervisor {
  private state: CameraState = 'idle';
  private problem: Diagnosis | undefined;
  private probed: { stream: ProbedStream; plan: PushPlan } | undefined;
  /**
   * What the last probe found, kept when no plan could be made of it: a camera failed for its
   * codec shows the codec and resolution it sends.
   */
  private found: ProbedStream | undefined;
  private needsProbe = true;
  private bitrateKbps: number | undefined;
  /** Failures since the push was last stable: the backoff attempt. */
  private attempt = 0;
  private readonly starts: number[] = [];
  private disposed = false;
  private wakeUp: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private lastNotified = '';
  private retryRequested = false;
  /** Ends the running probe: a stop, or a push no longer wanted, need not wait for ffprobe's timeout. */
  private probeAbort: AbortController | undefined;

  constructor(private readonly options: MediaSupervisorOptions) {}

  start(): void {
    this.disposed = false;
    this.loopDone ??= this.loop().catch((error: unknown) => {
      const { name, purpose } = this.options.target;
      this.options.logger.error({ err: error, camera: name }, `camera ${purpose} supervisor failed`);
    });
  }

  /** Looks at the wish now instead of at the next tick (an activity started, a command came). */
  poke(): void {
    if (this.probeAbort !== undefined && !this.wanted()) this.probeAbort.abort();
    this.wakeUp?.();
  }

  /** Stops ffmpeg gracefully and ends the supervision. */
  async stop(): Promise<void> {
    this.disposed = true;
    this.poke();
    await this.loopDone;
    this.loopDone = undefined;
  }

  report(): CameraReport {
    const plan = this.probed?.plan;
    const video = this.found?.video;
    const audio = this.found?.audio;
    return {
      name: this.options.target.name,
      state: this.state,
      ...(this.problem !== undefined && { problem: this.problem.problem, lastError: this.problem.line }),
      ...(video != null && { video: { codec: video.codec, width: video.width, height: video.height, fps: video.fps } }),
      ...(audio != null && plan !== undefined && { audio: { codec: audio.codec, pushedAs: plan.audio } }),
      ...(this.state === 'live' && this.bitrateKbps !== undefined && { bitrateKbps: this.bitrateKbps }),
      restartsLastMinute: this.recentStarts(),
    };
  }

  private wanted(): boolean {
    return !this.disposed && this.options.wish() === 'push';
  }

  private async loop(): Promise<void> {
    while (!this.disposed) {
      const wish = this.options.wish();
      if (wish !== 'push') {
        // The camera may be reconfigured while nobody watches it: the next push probes it afresh.
        this.needsProbe = true;
        this.attempt = 0;
        this.problem = undefined;
        this.setState(wish === 'stopped' ? 'stopped' : 'idle');
        await this.sleep(TICK_MS);
        continue;
      }
      if (this.needsProbe && !(await this.probe())) continue;
      // A stop that came as the probe ended starts no ffmpeg.
      if (!this.wanted() || !(await this.underRestartCap())) continue;
      await this.push();
    }
    this.problem = undefined;
    this.setState('idle');
  }

  /** True when the camera can be pushed; otherwise the failure has been waited out. */
  private async probe(): Promise<boolean> {
    const { tools, target } = this.options;
    this.setState('probing');
    const abort = new AbortController();
    this.probeAbort = abort;
    try {
      const stream = await tools.probe(target.inputUrl, abort.signal);
      this.found = stream;
      // No earlier plan outlives a probe whose stream cannot be pushed.
      this.probed = undefined;
      const plan = tools.plan(stream);
      this.probed = { stream, plan };
      this.needsProbe = false;
      return true;
    } catch (error) {
      // Cut short because the push is no longer wanted: nothing was learnt of the camera.
      if (!abort.signal.aborted) await this.fail(tools.diagnoseError(error));
      return false;
    } finally {
      this.probeAbort = undefined;
    }
  }

  /** True when one more start stays within maxRestartsPerMinute; otherwise the window has been waited out. */
  private async underRestartCap(): Promise<boolean> {
    if (this.recentStarts() < this.options.target.maxRestartsPerMinute) return true;
    this.setState('backoff');
    const oldest = this.starts[this.starts.length - this.options.target.maxRestartsPerMinute] ?? this.options.now();
    this.options.logger.warn(
      { camera: this.options.target.name, maxRestartsPerMinute: this.options.target.maxRestartsPerMinute },
      `camera ${this.options.target.purpose} restarted too often: waiting`,
    );
    await this.pause(oldest + RESTART_WINDOW_MS - this.options.now());
    return false;
  }

  private recentStarts(): number {
    const since = this.options.now() - RESTART_WINDOW_MS;
    while (this.starts.length > 0 && (this.starts[0] ?? 0) <= since) this.starts.shift();
    return this.starts.length;
  }

  private async push(): Promise<void> {
    const { tools, target, logger } = this.options;
    const { stream, plan } = this.probed!;
    this.setState('starting');
    let run: FfmpegRun;
    try {
      run = await tools.launcher.start({ name: `${target.purpose}-${target.name}`, args: tools.args(plan, stream) });
    } catch (error) {
      await this.fail(tools.diagnoseError(error));
      return;
    }
    this.starts.push(this.options.now());
    logger.info({ camera: target.name, pid: run.pid, plan }, `camera ${target.purpose} started`);
    const outcome = await this.watch(run);
    this.bitrateKbps = undefined;
    if (outcome.kind === 'unwanted') {
      await run.stop(STOP_GRACE_MS);
      logger.info({ camera: target.name }, `camera ${target.purpose} stopped`);
      return;
    }
    if (outcome.kind === 'stall') {
      this.setState('stalled');
      await run.stop(STOP_GRACE_MS);
    }
    const diagnosis = tools.diagnoseStderr(run.stderrTail()) ?? this.undiagnosed(outcome, run);
    logger.warn(
      { camera: target.name, outcome: outcome.kind, problem: diagnosis.problem, line: reportLine(diagnosis.line) },
      `camera ${target.purpose} ended: restarting`,
    );
    await this.fail(diagnosis);
  }

  /** Watches a running push every tick until it exits, stalls or is no longer wanted. */
  private async watch(run: FfmpegRun): Promise<RunOutcome> {
    const { target } = this.options;
    const now = (): number => this.options.now();
    let frame = 0;
    let risenAt = now();
    let liveSince: number | undefined;
    let exit: FfmpegExit | undefined;
    void run.exited.then((result) => {
      exit = result;
      this.poke();
    });
    run.onProgress((progress) => {
      this.bitrateKbps = progress.bitrateKbps ?? undefined;
      if (progress.frame <= frame) return;
      frame = progress.frame;
      risenAt = now();
      if (liveSince === undefined) {
        liveSince = risenAt;
        this.problem = undefined;
        this.setState('live');
      }
    });
    for (;;) {
      await this.sleep(TICK_MS);
      if (exit !== undefined) return { kind: 'exit', exit };
      if (!this.wanted()) return { kind: 'unwanted' };
      if (now() - risenAt >= target.stallTimeoutSeconds * 1000) return { kind: 'stall' };
      if (liveSince !== undefined && now() - liveSince >= STABLE_MS) this.attempt = 0;
    }
  }

  /** When ffmpeg's stderr named nothing: a stall, or an exit (code 0 is how ffmpeg ends when its input times out). */
  private undiagnosed(outcome: RunOutcome, run: FfmpegRun): Diagnosis {
    if (outcome.kind === 'stall') {
      return { problem: 'timeout', line: `no new frame for ${this.options.target.stallTimeoutSeconds} s` };
    }
    const exit = outcome.kind === 'exit' ? outcome.exit : undefined;
    const last = run.stderrTail().at(-1);
    if (exit?.code === 0) return { problem: 'timeout', line: last ?? 'ffmpeg ended: the camera stopped sending' };
    return {
      problem: 'ffmpeg-error',
      line: last ?? `ffmpeg exited with ${exit?.signal ?? `code ${String(exit?.code)}`}`,
    };
  }

  /** Records the problem and waits: rarely for what needs a change, with backoff for the rest. */
  private async fail(diagnosis: Diagnosis): Promise<void> {
    this.problem = { problem: diagnosis.problem, line: reportLine(diagnosis.line) };
    this.needsProbe = !SERVER_SIDE.has(diagnosis.problem);
    if (NEEDS_A_CHANGE.has(diagnosis.problem)) {
      this.setState('failed');
      await this.pause(FAILED_REPROBE_MS, true);
      return;
    }
    this.setState('backoff');
    await this.pause(backoffDelay(this.attempt++, this.options.backoff ?? PUSH_BACKOFF, this.options.random));
  }

  /**
   * Tries a failed camera again now instead of at the next rare re-probe: someone asked for its
   * push, perhaps after changing the camera. Backoff and the restart cap still hold.
   */
  retryFailed(): void {
    this.retryRequested = true;
    this.poke();
  }

  /** Waits `ms`, cut short when the push is no longer wanted (or, for `failed`, when a retry is asked). */
  private async pause(ms: number, retryable = false): Promise<void> {
    const until = this.options.now() + ms;
    this.retryRequested = false;
    while (this.wanted() && !(retryable && this.retryRequested)) {
      const left = until - this.options.now();
      if (left <= 0) return;
      await this.sleep(Math.min(TICK_MS, left));
    }
  }

  /** Resolves after `ms` or at the next poke(), whichever comes first. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private setState(state: CameraState): void {
    this.state = state;
    const key = `${state} ${this.problem?.problem ?? ''}`;
    if (key === this.lastNotified) return;
    this.lastNotified = key;
    this.options.onChange();
  }
}
