import { describe, expect, it, onTestFinished } from 'vitest';
import { clipFrameHashes, consecutiveSourceOffset, streamFrameHashes } from '../helpers/frameHashes.js';
import { startMediaServer, type MediaServer } from '../../src/demo/mediaServer.js';
import { spawnRig, type RigProcess } from '../../src/demo/rigProcess.js';
import { startRtspCamera, type RtspCamera } from '../../src/demo/rtspCamera.js';

/**
 * The county-side receiver and the frame comparison the push tests rely on: a stream-copy push of
 * the test camera arrives as consecutive frames of the camera's clip, a re-encoded one does not
 * (so the check can fail), the receiver's frame count rises while a push runs, stops while the
 * server is paused, and a push reaches the server again after it was restarted on the same port.
 */
const COMPARED_FRAMES = 50;

async function rigs(hls = false): Promise<{ camera: RtspCamera; server: MediaServer }> {
  const [camera, server] = await Promise.all([
    startRtspCamera({ variant: 'h264', user: 'admin', password: 'secret' }),
    startMediaServer({ hls }),
  ]);
  onTestFinished(async () => {
    await Promise.all([camera.stop(), server.stop()]);
  });
  return { camera, server };
}

/** ffmpeg pushing the camera's main stream to `name` on the server, video only. */
function push(camera: RtspCamera, server: MediaServer, name: string, video: string[]): RigProcess {
  const pusher = spawnRig('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'],
    ...['-rtsp_transport', 'tcp', '-timeout', '10000000', '-i', camera.url],
    ...['-map', '0:v:0', ...video, '-rw_timeout', '10000000', '-f', 'flv', server.streamUrl(name)],
  ]);
  onTestFinished(() => pusher.end('SIGKILL'));
  return pusher;
}

describe('the media server and the frame comparison', () => {
  it('finds a stream-copy push as consecutive clip frames, and a libx264 re-encode nowhere in the clip', async () => {
    const { camera, server } = await rigs();
    push(camera, server, 'copy', ['-c:v', 'copy']);
    push(camera, server, 'encoded', ['-c:v', 'libx264', '-preset', 'veryfast', '-g', '25']);
    const [source, copied, encoded] = await Promise.all([
      clipFrameHashes(camera.clip),
      streamFrameHashes(server.streamUrl('copy'), COMPARED_FRAMES),
      streamFrameHashes(server.streamUrl('encoded'), COMPARED_FRAMES),
    ]);
    expect(copied).toHaveLength(COMPARED_FRAMES);
    expect(encoded).toHaveLength(COMPARED_FRAMES);
    expect(consecutiveSourceOffset(copied, source)).not.toBeNull();
    expect(consecutiveSourceOffset(encoded, source)).toBeNull();
  });

  it('counts the frames of a push rising, not while the server is paused, and again once resumed', async () => {
    const { camera, server } = await rigs();
    const watcher = server.watch('cam');
    push(camera, server, 'cam', ['-c:v', 'copy']);
    await watcher.waitForFrames(50, 30_000);

    server.pause();
    // Frames already in flight may still land; after that the count stands.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const paused = watcher.frames();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(watcher.frames()).toBe(paused);

    server.resume();
    await watcher.waitForFrames(50, 30_000);
  });

  it('takes a push again after a restart on the same port', async () => {
    const { camera, server } = await rigs();
    const watcher = server.watch('cam');
    const first = push(camera, server, 'cam', ['-c:v', 'copy']);
    await watcher.waitForFrames(25, 30_000);

    await server.restart();
    // The push loses its connection: ffmpeg ends, as a pushing agent's would.
    await first.exited;
    push(camera, server, 'cam', ['-c:v', 'copy']);
    await watcher.waitForFrames(50, 30_000);
  });

  it('with HLS, serves a push as a live playlist over HTTP whose fragments are the stream', async () => {
    const { camera, server } = await rigs(true);
    push(camera, server, 'cam', ['-c:v', 'copy']);
    const playlist = server.hlsUrl('cam')!;
    let listed: string[] = [];
    const until = Date.now() + 30_000;
    while (listed.length < 2 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const response = await fetch(playlist);
      if (response.ok) listed = (await response.text()).split('\n').filter((line) => line.endsWith('.ts'));
    }
    expect(listed.length, server.log()).toBeGreaterThanOrEqual(2);
    const fragment = await fetch(new URL(listed[0]!, playlist));
    expect(fragment.headers.get('content-type')).toBe('video/mp2t');
    // MPEG-TS: 188-byte packets, each starting with the sync byte 0x47.
    const bytes = new Uint8Array(await fragment.arrayBuffer());
    expect(bytes.length % 188).toBe(0);
    expect(bytes[0]).toBe(0x47);
    expect(bytes[188]).toBe(0x47);
    expect(server.hlsUrl('cam')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hls\/cam\/index\.m3u8$/);
  });
});
