/**
 * An IP camera on loopback, for the demo and the camera tests: the camera emulator
 * (drivers/camera/emulator/, GStreamer's RTSP server behind basic auth) serving a main stream of
 * 640×360 and a sub-stream of 320×180, each a pre-encoded clip looped without re-encoding, so
 * several cameras fit on two cores beside the agent. It can be killed and started again on the
 * same URL, or paused (SIGSTOP: connections stay open, no data flows, as when a camera hangs).
 */
import { join } from 'node:path';
import { packageRoot } from '../util/packageRoot.js';
import { cameraClip, type ClipCodec } from './cameraClips.js';
import { freePort } from './ports.js';
import { cpuSeconds, spawnRig, type RigProcess, type RigSpawnOptions } from './rigProcess.js';

/** Debian's interpreter: it has python3-gi, which a version manager's `python3` on PATH may lack. */
export const CAMERA_PYTHON = '/usr/bin/python3';
/**
 * Relative to the package root, not to this module: the code runs compiled from dist/ (or a
 * benchmark's build-scripts/), while the emulator is Python beside the other device emulators.
 */
const SCRIPT = join('drivers', 'camera', 'emulator', 'rtsp_camera.py');
const READY_TIMEOUT_MS = 20_000;

export const MAIN_PATH = '/main';
export const SUB_PATH = '/sub';
export const MAIN_SIZE = { width: 640, height: 360 } as const;
export const SUB_SIZE = { width: 320, height: 180 } as const;

/** H.264 video; H.264 with G.711 A-law audio (many cameras' default); H.265 video. */
export type CameraVariant = 'h264' | 'h264-pcma' | 'h265';

export interface RtspCameraOptions {
  variant: CameraVariant;
  user: string;
  password: string;
  /** Default: a free loopback port. */
  port?: number;
  /** The demo's: a pid file while the camera runs. */
  pidFile?: RigSpawnOptions['pidFile'];
}

export interface RtspCamera {
  readonly variant: CameraVariant;
  readonly codec: ClipCodec;
  readonly port: number;
  /** The main stream, rtsp://user:password@127.0.0.1:port/main. */
  readonly url: string;
  readonly urlWithoutCredentials: string;
  /** The sub-stream, rtsp://user:password@127.0.0.1:port/sub. */
  readonly subUrl: string;
  readonly subUrlWithoutCredentials: string;
  /** The clip the main stream loops, for frame comparisons. */
  readonly clip: string;
  readonly subClip: string;
  /** The server's pid while it runs. */
  pid(): number | null;
  /** RTSP connections accepted since the camera was created (over restarts). */
  clients(): number;
  /** CPU seconds the running server has used (user + system). */
  cpuSeconds(): number;
  /** The tail of the server's output, for a failure message. */
  output(): string;
  /** SIGKILL: the camera is gone, its port refuses connections. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open and carry nothing. */
  pause(): void;
  resume(): void;
  /** Starts the server again on the same port, after kill(). */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Ends the server: the end of a test or of the demo. */
  stop(): Promise<void>;
}

export async function startRtspCamera(options: RtspCameraOptions): Promise<RtspCamera> {
  const codec: ClipCodec = options.variant === 'h265' ? 'h265' : 'h264';
  const [clip, subClip, port] = await Promise.all([
    cameraClip({ codec, ...MAIN_SIZE }),
    cameraClip({ codec, ...SUB_SIZE }),
    options.port ?? freePort(),
  ]);
  const args = [
    join(packageRoot() ?? '.', SCRIPT),
    ...['--port', String(port), '--user', options.user, '--password', options.password, '--codec', codec],
    ...['--mount', `${MAIN_PATH}=${clip}`, '--mount', `${SUB_PATH}=${subClip}`],
    ...(options.variant === 'h264-pcma' ? ['--pcma'] : []),
  ];
  const credentials = `${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@`;
  const base = `127.0.0.1:${port}`;
  let server: RigProcess | undefined;
  let clients = 0;

  const start = async (): Promise<void> => {
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const started = spawnRig(CAMERA_PYTHON, args, {
      // No __pycache__ left in the source tree.
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      pidFile: options.pidFile,
      onLine: (line) => {
        if (!line.startsWith('{')) return;
        const event = (JSON.parse(line) as { event?: string }).event;
        if (event === 'ready') ready();
        else if (event === 'client') clients++;
      },
    });
    server = started;
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no ready line')), READY_TIMEOUT_MS);
      void started.exited.then(() => reject(new Error('exited before it was ready')));
    });
    try {
      await Promise.race([isReady, failed]);
    } catch (error) {
      await started.end('SIGKILL');
      throw new Error(`camera emulator on port ${port}: ${(error as Error).message}\n${started.output()}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  };
  // The last server is kept after it ends: its output explains a failure.
  const end = async (signal: NodeJS.Signals): Promise<void> => server?.end(signal);

  await start();
  return {
    variant: options.variant,
    codec,
    port,
    url: `rtsp://${credentials}${base}${MAIN_PATH}`,
    urlWithoutCredentials: `rtsp://${base}${MAIN_PATH}`,
    subUrl: `rtsp://${credentials}${base}${SUB_PATH}`,
    subUrlWithoutCredentials: `rtsp://${base}${SUB_PATH}`,
    clip,
    subClip,
    pid: () => (server?.running() ? server.pid : null),
    clients: () => clients,
    cpuSeconds() {
      if (!server?.running()) throw new Error('the camera emulator is not running');
      return cpuSeconds(server.pid);
    },
    output: () => server?.output() ?? '',
    kill: () => end('SIGKILL'),
    pause: () => server?.signal('SIGSTOP'),
    resume: () => server?.signal('SIGCONT'),
    start,
    async restart() {
      await end('SIGTERM');
      await start();
    },
    stop: () => end('SIGTERM'),
  };
}
