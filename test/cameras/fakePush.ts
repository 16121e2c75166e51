import { pino } from 'pino';
import type { Diagnosis, MediaTools } from '../../src/cameras/supervisor.js';
import type {
  CameraProblem,
  FfmpegExit,
  FfmpegLauncher,
  FfmpegProgress,
  FfmpegRun,
  FfmpegSpec,
  ProbedStream,
} from '../../src/cameras/types.js';

export const silentLogger = pino({ level: 'silent' });

export const h264: ProbedStream = {
  video: { codec: 'h264', width: 640, height: 360, fps: 25 },
  audio: { codec: 'pcm_alaw', sampleRate: 8000, channels: 1 },
};

export const h265: ProbedStream = { video: { codec: 'hevc', width: 1920, height: 1080, fps: 25 }, audio: null };

/** An error as the probe and the planner throw them: it names its problem. */
export class FakeCameraError extends Error {
  constructor(
    readonly problem: CameraProblem,
    message: string,
  ) {
    super(message);
  }
}

/** One ffmpeg the test drives: frames, stderr lines and the exit are the test's to give. */
export class FakeRun implements FfmpegRun {
  private static nextPid = 1000;
  readonly pid = FakeRun.nextPid++;
  readonly exited: Promise<FfmpegExit>;
  stopCalls = 0;
  /** Set once stop() was called: a stopped run exits when asked. */
  private resolveExit!: (exit: FfmpegExit) => void;
  private readonly listeners: Array<(progress: FfmpegProgress) => void> = [];
  private frame = 0;
  readonly stderr: string[] = [];
  done = false;

  constructor(readonly spec: FfmpegSpec) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  onProgress(listener: (progress: FfmpegProgress) => void): void {
    this.listeners.push(listener);
  }

  stderrTail(): string[] {
    return [...this.stderr];
  }

  /** `count` more frames written. */
  frames(count = 25): void {
    this.frame += count;
    for (const listener of this.listeners)
      listener({
        frame: this.frame,
        fps: 25,
        bitrateKbps: 512,
        totalSize: null,
        outTimeUs: null,
        progress: 'continue',
      });
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (this.done) return;
    this.done = true;
    this.resolveExit({ code, signal });
  }

  stop(): Promise<FfmpegExit> {
    this.stopCalls += 1;
    this.exit(255);
    return this.exited;
  }
}

export interface FakeTools extends MediaTools {
  runs: FakeRun[];
  /** Monotonic times (the test's clock) of each start. */
  startTimes: number[];
  probes: number;
  /** `hang`: a probe answers nothing until its signal aborts (a camera that accepts and stays silent). */
  probeResult: ProbedStream | Error | 'hang';
  /** Probes ended by their signal. */
  probesAborted: number;
  /** Lines a started run puts on its stderr before the test drives it. */
  stderrOnStart: string[];
  /** Called with each new run (the test decides how it behaves). */
  onRun: (run: FakeRun) => void;
}

/** Tools with a fake launcher and probe; `now` is the test's clock. */
export function fakeTools(now: () => number): FakeTools {
  const tools: FakeTools = {
    runs: [],
    startTimes: [],
    probes: 0,
    probeResult: h264,
    probesAborted: 0,
    stderrOnStart: [],
    onRun: () => {},
    launcher: {
      start(spec) {
        const run = new FakeRun(spec);
        run.stderr.push(...tools.stderrOnStart);
        tools.runs.push(run);
        tools.startTimes.push(now());
        tools.onRun(run);
        return Promise.resolve(run);
      },
    } satisfies FfmpegLauncher,
    probe(_url, signal) {
      tools.probes += 1;
      const result = tools.probeResult;
      if (result === 'hang') {
        return new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () => {
            tools.probesAborted += 1;
            reject(signal.reason as Error);
          }),
        );
      }
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
    plan(probed) {
      if (probed.video?.codec === 'hevc') throw new FakeCameraError('h265-over-rtmp', 'H.265 cannot go over RTMP');
      return { video: 'copy', audio: probed.audio === null ? 'none' : 'aac' };
    },
    args: () => ['-i', 'input', 'output'],
    diagnoseError(error): Diagnosis {
      if (error instanceof FakeCameraError) return { problem: error.problem, line: error.message };
      return { problem: 'ffmpeg-error', line: String(error) };
    },
    diagnoseStderr(lines) {
      const line = lines.find((text) => text.includes('already publishing'));
      return line === undefined ? undefined : { problem: 'server-refused', line };
    },
  };
  return tools;
}

/** The largest number of `times` inside any window of `windowMs` (a start at t counts until t + windowMs). */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (const [index, start] of times.entries()) {
    most = Math.max(most, times.slice(index).filter((time) => time < start + windowMs).length);
  }
  return most;
}
