import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CameraReport } from '../../src/cameras/types.js';
import { logLines } from '../daemon/daemonProcess.js';
import { startMediaServer, type MediaServer, type StreamWatcher } from '../../src/demo/mediaServer.js';
import { startRtspCamera, type CameraVariant, type RtspCamera } from '../../src/demo/rtspCamera.js';
import { SyncScenario, until } from '../helpers/syncScenario.js';

/**
 * A room pushing the test camera to the county's media server as production runs it: the real
 * daemon (`room-agent run`) with cameras in `mode: always`, real ffmpeg, the GStreamer RTSP camera
 * behind a password (one per variant the cameras ask for), nginx-rtmp or a receiver of the
 * test's own (an SRT listener), a real Mosquitto and the reference center. Its camera states are
 * sampled from `status` over the control socket all along, so a test can ask which states a camera
 * went through and when it reached one.
 */

const run = promisify(execFile);

export const CAMERA_PASSWORD = 'Cam-pw-6021';
/** How often the camera states are read over the control socket. */
const SAMPLE_MS = 250;
/** Reading a stream's size from the receiver: longer is a hang. */
const PROBE_TIMEOUT_MS = 30_000;

/** Where a camera pushes when not to the room's nginx: its push URL and a count of the frames that arrive. */
export interface PushReceiver {
  url: string;
  watch(): StreamWatcher;
}

export type PushedCamera = {
  name: string;
  /** Pushes the camera's sub-stream instead of its main stream. */
  sub: boolean;
  /** The test camera it pulls from: the room's H.264 camera unless given. */
  variant?: CameraVariant;
} & (
  | {
      /** The stream name at the room's nginx. */
      stream: string;
    }
  | { receiver: PushReceiver }
);

export interface CameraSample {
  /** performance.now() when the status answer came. */
  at: number;
  camera: CameraReport;
}

export interface PushRoom {
  sync: SyncScenario;
  /** The H.264 test camera. */
  camera: RtspCamera;
  /** The test camera `name` pulls from (its variant's). */
  cameraOf(name: string): RtspCamera;
  server: MediaServer;
  /** performance.now() when the daemon first answered. */
  startedAt: number;
  /** One watcher per pushed camera, counting the frames the media server passes on. */
  watchers: ReadonlyMap<string, StreamWatcher>;
  /** Every sample of `name`'s report taken at or after `since` (performance.now()). */
  samples(name: string, since?: number): CameraSample[];
  /** Resolves with the time of the first sample at or after `since` where `name` is in one of `states`. */
  reached(name: string, states: readonly string[], since: number, timeoutMs: number): Promise<number>;
  /** The daemon's pid, found by its command line (`run --config <this room's config>`). */
  daemonPid(): number;
  /** The pid files of the push's ffmpeg runs: name → pid. */
  pidFiles(): Map<string, number>;
  /** The folder of those pid files. */
  readonly runDir: string;
  /** The log lines of every daemon of the room so far. */
  logs(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface PushRoomOptions {
  cameras: readonly PushedCamera[];
  maxRestartsPerMinute?: number;
}

export async function startPushRoom(options: PushRoomOptions): Promise<PushRoom> {
  const variants = new Set<CameraVariant>(['h264', ...options.cameras.map(({ variant }) => variant ?? 'h264')]);
  const [server, ...started] = await Promise.all([
    startMediaServer(),
    ...[...variants].map((variant) => startRtspCamera({ variant, user: 'admin', password: CAMERA_PASSWORD })),
  ]);
  const rtspCameras = new Map(started.map((camera) => [camera.variant, camera]));
  const camera = rtspCameras.get('h264')!;
  const cameraOf = (name: string): RtspCamera =>
    rtspCameras.get(options.cameras.find((pushed) => pushed.name === name)?.variant ?? 'h264')!;
  const sync = await SyncScenario.create({
    deviceId: 'room-push',
    sections: {
      cameras: options.cameras.map((pushed) => ({
        name: pushed.name,
        url: cameraOf(pushed.name).url,
        ...(pushed.sub && { subUrl: cameraOf(pushed.name).subUrl }),
        ...(options.maxRestartsPerMinute !== undefined && { maxRestartsPerMinute: options.maxRestartsPerMinute }),
        push: { url: 'receiver' in pushed ? pushed.receiver.url : server.streamUrl(pushed.stream), mode: 'always' },
      })),
    },
  });
  const watchers = new Map(
    options.cameras.map((pushed) => [
      pushed.name,
      'receiver' in pushed ? pushed.receiver.watch() : server.watch(pushed.stream),
    ]),
  );
  await sync.startCenter();
  await sync.room.start();
  const startedAt = performance.now();

  const samples: CameraSample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const status = await sync.room.status();
        const at = performance.now();
        for (const report of status.cameras) samples.push({ at, camera: report });
      } catch {
        // The daemon is down (a test killed it) or restarting: no sample this time.
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();

  const of = (name: string, since = 0): CameraSample[] =>
    samples.filter((sample) => sample.camera.name === name && sample.at >= since);
  const runDir = join(sync.room.dataDir, 'run', 'push');
  return {
    sync,
    camera,
    cameraOf,
    server,
    startedAt,
    watchers,
    samples: of,
    async reached(name, states, since, timeoutMs) {
      let found: CameraSample | undefined;
      await until(
        () => (found = of(name, since).find((sample) => states.includes(sample.camera.state))) !== undefined,
        timeoutMs,
        () =>
          `camera ${name} in ${states.join('/')}; its states since: ${trail(of(name, since))}\nroom log:\n${tail(sync.room.output())}`,
      );
      return found!.at;
    },
    daemonPid() {
      const pid = processes().find(({ argv }) => argv.includes('run') && argv.includes(sync.room.configPath))?.pid;
      if (pid === undefined) throw new Error('no room daemon is running');
      return pid;
    },
    runDir,
    pidFiles() {
      if (!existsSync(runDir)) return new Map();
      return new Map(
        readdirSync(runDir)
          .filter((file) => file.endsWith('.pid'))
          .map((file) => [file, Number(readFileSync(join(runDir, file), 'utf8').split('\n')[0])]),
      );
    },
    logs: () => logLines(sync.room.output()),
    async close() {
      sampling = false;
      await sampler;
      await sync.close();
      await Promise.all([...watchers.values()].map((watcher) => watcher.stop()));
      await Promise.all([server.stop(), ...[...rtspCameras.values()].map((each) => each.stop())]);
    },
  };
}

/** A camera's states in order, each once per stretch, with its problem: "starting → live → backoff(unreachable) → …". */
export function trail(samples: readonly CameraSample[]): string {
  const steps: string[] = [];
  for (const { camera } of samples) {
    const step = camera.problem === undefined ? camera.state : `${camera.state}(${camera.problem})`;
    if (steps.at(-1) !== step) steps.push(step);
  }
  return steps.join(' → ') || '(no sample)';
}

/** The width and height of the video a live stream carries, read with ffprobe. */
export async function streamSize(url: string): Promise<{ width: number; height: number }> {
  const { stdout } = await run(
    'ffprobe',
    [
      ...['-v', 'error', '-rw_timeout', '10000000', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=width,height', '-of', 'json', url],
    ],
    { timeout: PROBE_TIMEOUT_MS },
  );
  const stream = (JSON.parse(stdout) as { streams: Array<{ width: number; height: number }> }).streams[0];
  if (stream === undefined) throw new Error(`no video stream at ${url}`);
  return { width: stream.width, height: stream.height };
}

export interface ProcessInfo {
  pid: number;
  argv: string[];
  /** Exited and not yet reaped: it runs nothing any more. */
  zombie: boolean;
}

/** Every process on the machine, from /proc. */
export function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').slice(0, -1);
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      found.push({ pid: Number(entry), argv, zombie: stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return found;
}

/** The pids of the living descendants of `pid` (children, their children…). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone between the listing and the read.
    }
  }
  const found: number[] = [];
  for (const candidate of parents.keys()) {
    for (let up = parents.get(candidate); up !== undefined && up > 1; up = parents.get(up)) {
      if (up !== pid) continue;
      found.push(candidate);
      break;
    }
  }
  return found;
}

/** True while `pid` exists and is no zombie. */
export function alive(pid: number): boolean {
  return processes().some((process) => process.pid === pid && !process.zombie);
}

/**
 * The times (log `time`, ms) of `name`'s ffmpeg starts, from the daemons' `camera push started`
 * lines, and the most of them that fall within any window of `windowMs`.
 */
export function pushStarts(
  logs: ReadonlyArray<Record<string, unknown>>,
  name: string,
  windowMs: number,
): { times: number[]; mostInWindow: number } {
  const times = logs
    .filter((line) => line.msg === 'camera push started' && line.camera === name)
    .map((line) => Number(line.time))
    .sort((a, b) => a - b);
  let mostInWindow = 0;
  for (let first = 0; first < times.length; first++) {
    const within = times.filter((time) => time >= times[first]! && time < times[first]! + windowMs).length;
    mostInWindow = Math.max(mostInWindow, within);
  }
  return { times, mostInWindow };
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}
