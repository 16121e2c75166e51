/**
 * The shapes the camera modules share: what a probe learns of a camera, what ffmpeg reports while
 * it runs, and the states a camera's push goes through. The probe, the ffmpeg runner, the push
 * supervisor, the photo scheduler and the service that wires them meet here, so each can be
 * tested with the others replaced.
 */

/** What ffprobe found on a camera's stream. */
export interface ProbedStream {
  video: { codec: string; width: number; height: number; fps: number | null; profile?: string | undefined } | null;
  audio: { codec: string; sampleRate: number | null; channels: number | null } | null;
}

/**
 * How a push carries a probed stream: video copied unless transcoding is configured (or the
 * codec cannot go over the push's transport), audio copied when the transport carries it as is,
 * transcoded to AAC when it does not (G.711), dropped when there is none.
 */
export interface PushPlan {
  video: 'copy' | 'transcode';
  audio: 'copy' | 'aac' | 'none';
}

/** What the last progress block of a running ffmpeg said (`-progress pipe:1`). */
export interface FfmpegProgress {
  /** Frames written so far; the stall watchdog watches it rise. */
  frame: number;
  fps: number | null;
  /** Output bitrate ffmpeg reports, kbit/s; null before it knows. */
  bitrateKbps: number | null;
  totalSize: number | null;
  outTimeUs: number | null;
  /** `end` on the last block before ffmpeg exits. */
  progress: 'continue' | 'end';
}

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A camera's push, as health, status and the journal report it:
 * - idle: no push is wanted now (mode activity outside an activity, on-demand without a request);
 * - probing: ffprobe is reading the camera's codecs;
 * - starting: ffmpeg runs, no frame has reached the server yet;
 * - live: frames are flowing to the media server;
 * - stalled: no new frame for the stall timeout; ffmpeg is being restarted;
 * - backoff: waiting before the next start after an exit or a failed probe;
 * - stopped: the center stopped the push; it stays stopped until the next start event;
 * - failed: a condition a restart cannot heal (H.265 over RTMP, no video): the detail says what to change.
 */
export type CameraState = (typeof CAMERA_STATES)[number];

/** Every CameraState, for the schemas of the messages that carry one. */
export const CAMERA_STATES = [
  'idle',
  'probing',
  'starting',
  'live',
  'stalled',
  'backoff',
  'stopped',
  'failed',
] as const;

/** Why a camera cannot be pushed or read, as the probe and the runner classify ffmpeg's errors. */
export type CameraProblem = (typeof CAMERA_PROBLEMS)[number];

/** Every CameraProblem, for the schemas of the messages that carry one. */
export const CAMERA_PROBLEMS = [
  'unreachable',
  'auth-failed',
  'not-found',
  'bad-url',
  'timeout',
  'h265-over-rtmp',
  'unsupported-video',
  'no-video',
  'server-refused',
  'server-unreachable',
  'ffmpeg-missing',
  'ffmpeg-error',
] as const;

/** One camera's state as health, status and the center's board show it; no URL, no credential. */
export interface CameraReport {
  name: string;
  state: CameraState;
  problem?: CameraProblem | undefined;
  /** What went wrong and what to change, in the reader's language for status, English on the wire. */
  detail?: string | undefined;
  /** The last masked ffmpeg error line, when the state comes from one. */
  lastError?: string | undefined;
  video?: { codec: string; width: number; height: number; fps: number | null } | undefined;
  audio?: { codec: string; pushedAs: 'copy' | 'aac' | 'none' } | undefined;
  bitrateKbps?: number | undefined;
  /** ffmpeg starts in the last minute, for the restart cap. */
  restartsLastMinute: number;
}

/** One running ffmpeg (or ffprobe) under the runner: its own process group, pipes drained, stderr kept masked. */
export interface FfmpegRun {
  readonly pid: number;
  /** Resolves when the process has exited, whatever the code (ffmpeg exits 0 when its input times out). */
  readonly exited: Promise<FfmpegExit>;
  /** Every progress block, as ffmpeg writes it on `-progress pipe:1`. */
  onProgress(listener: (progress: FfmpegProgress) => void): void;
  /** The last lines of stderr (about 100), credentials already masked. */
  stderrTail(): string[];
  /** `q` on stdin, then one SIGINT, then SIGKILL to the process group; resolves once it is gone. */
  stop(graceMs?: number): Promise<FfmpegExit>;
}

export interface FfmpegSpec {
  /** Names the pid file (so a later agent can end what a killed one left) and the log lines. */
  name: string;
  args: string[];
  /** Literal secrets (a camera's password) masked in the kept stderr lines, besides any URL's userinfo. */
  secrets?: readonly string[] | undefined;
}

/** Starts ffmpeg processes; the service gets the real one, tests a fake. */
export interface FfmpegLauncher {
  start(spec: FfmpegSpec): Promise<FfmpegRun>;
}

/**
 * Reads a camera's codecs; rejects with a CameraError naming the problem, or with the signal's
 * reason once it aborts (the probe is ended then, not waited out).
 */
export type CameraProbe = (url: string, signal?: AbortSignal) => Promise<ProbedStream>;
