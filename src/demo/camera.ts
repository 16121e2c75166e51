import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_DEVICE_ID, type DemoCameraConfig } from './config.js';
import { NGINX, RTMP_MODULE, startMediaServer, type MediaServer } from './mediaServer.js';
import { CAMERA_PYTHON, startRtspCamera, type RtspCamera } from './rtspCamera.js';

/** The room's one camera, as its configuration names it. */
export const DEMO_CAMERA = 'hall';
/** A camera account as an installer leaves it: a user and a password the demo makes up at each start. */
const CAMERA_USER = 'admin';

export interface DemoCamera {
  readonly config: DemoCameraConfig;
  /** The media server's HLS playlist of a room's camera, as the center's --live-hls takes it. */
  readonly livePlaylistTemplate: string;
  stop(): Promise<void>;
}

/**
 * A Debian package the camera needs, and how to tell it is installed: commands on PATH, the
 * rest by the files they install (plugins and typelibs are neither commands nor libraries).
 */
interface Need {
  package: string;
  present(): boolean;
}

const onPath = (command: string) => (): boolean => spawnSync(command, ['-version'], { stdio: 'ignore' }).status === 0;

/** A file under one of /usr/lib's architecture folders (x86_64-linux-gnu, aarch64-linux-gnu…). */
const inArchLib = (file: string) => (): boolean => {
  try {
    return readdirSync('/usr/lib')
      .filter((entry) => entry.endsWith('-linux-gnu') || entry.endsWith('-linux-gnueabihf'))
      .some((entry) => existsSync(join('/usr/lib', entry, file)));
  } catch {
    return false;
  }
};

const NEEDS: readonly Need[] = [
  // The agent's push and photos, and the clips the camera loops.
  { package: 'ffmpeg', present: () => onPath('ffmpeg')() && onPath('ffprobe')() },
  { package: 'nginx-light', present: () => existsSync(NGINX) },
  { package: 'libnginx-mod-rtmp', present: () => existsSync(RTMP_MODULE) },
  { package: 'python3-gi', present: () => spawnSync(CAMERA_PYTHON, ['-c', 'import gi']).status === 0 },
  { package: 'gir1.2-gst-rtsp-server-1.0', present: inArchLib('girepository-1.0/GstRtspServer-1.0.typelib') },
  { package: 'gstreamer1.0-plugins-base', present: inArchLib('gstreamer-1.0/libgstapp.so') },
  { package: 'gstreamer1.0-plugins-good', present: inArchLib('gstreamer-1.0/libgstrtp.so') },
];

/** The Debian packages the demo's camera and media server need that this machine lacks. */
export function missingCameraPackages(): string[] {
  return NEEDS.filter((need) => !need.present()).map((need) => need.package);
}

/**
 * The demo's camera side: the county's media server (nginx-rtmp, cutting HLS for the county
 * board) and the room's IP camera (the camera emulator, H.264 behind a password). Both run as the
 * demo's children: a pid file each in `runDir`, gone with the demo however it ends.
 */
export async function startDemoCamera(options: { dir: string; runDir: string }): Promise<DemoCamera> {
  const media: MediaServer = await startMediaServer({
    dir: options.dir,
    hls: true,
    pidFile: { runDir: options.runDir, name: 'media' },
  });
  let camera: RtspCamera;
  try {
    camera = await startRtspCamera({
      variant: 'h264',
      user: CAMERA_USER,
      password: randomBytes(9).toString('base64url'),
      pidFile: { runDir: options.runDir, name: 'camera' },
    });
  } catch (error) {
    await media.stop();
    throw error;
  }
  return {
    config: {
      name: DEMO_CAMERA,
      url: camera.url,
      subUrl: camera.subUrl,
      pushUrl: media.streamUrl(`${DEMO_DEVICE_ID}-${DEMO_CAMERA}`),
    },
    livePlaylistTemplate: media.hlsUrl('{room}-{camera}')!,
    async stop() {
      await Promise.all([camera.stop(), media.stop()]);
    },
  };
}
