import { describe, expect, it, onTestFinished } from 'vitest';
import { spawnRig, type RigProcess } from '../../src/demo/rigProcess.js';
import { startRtspCamera, type RtspCamera } from '../../src/demo/rtspCamera.js';
import { clipFrameHashes, consecutiveSourceOffset, streamFrameHashes } from '../helpers/frameHashes.js';
import { startSrtReceiver, type SrtReceiver, type SrtReceiverOptions } from '../helpers/srtReceiver.js';

/**
 * The SRT receiver the push tests rely on: a stream-copy push over SRT arrives as consecutive
 * frames of the camera's clip, a caller with the wrong passphrase gets nothing through, the frame
 * count stops while the listener is paused and rises again for a new push after a restart on the
 * same port.
 */
const COMPARED_FRAMES = 50;
const PASSPHRASE = 'Rig-passphrase-31';

async function rigs(options: SrtReceiverOptions = {}): Promise<{ camera: RtspCamera; receiver: SrtReceiver }> {
  const [camera, receiver] = await Promise.all([
    startRtspCamera({ variant: 'h264', user: 'admin', password: 'secret' }),
    startSrtReceiver(options),
  ]);
  onTestFinished(async () => {
    await Promise.all([camera.stop(), receiver.stop()]);
  });
  return { camera, receiver };
}

/** ffmpeg pushing the camera's main stream, video copied, as MPEG-TS to `url`. */
function push(camera: RtspCamera, url: string): RigProcess {
  const pusher = spawnRig('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'],
    ...['-rtsp_transport', 'tcp', '-timeout', '10000000', '-i', camera.url],
    ...['-map', '0:v:0', '-c:v', 'copy', '-f', 'mpegts', url],
  ]);
  onTestFinished(() => pusher.end('SIGKILL'));
  return pusher;
}

describe('the SRT receiver', () => {
  it('passes a stream-copy push on as consecutive clip frames, with the passphrase it was given', async () => {
    const { camera, receiver } = await rigs({ passphrase: PASSPHRASE });
    const watcher = receiver.watch();
    push(camera, receiver.pushUrl({ passphrase: PASSPHRASE, latencyUs: 200_000 }));
    await watcher.waitForFrames(25, 30_000);
    const [source, received] = await Promise.all([
      clipFrameHashes(camera.clip),
      streamFrameHashes(receiver.tsUrl, COMPARED_FRAMES),
    ]);
    expect(received).toHaveLength(COMPARED_FRAMES);
    expect(consecutiveSourceOffset(received, source)).not.toBeNull();
  });

  it('refuses a caller with the wrong passphrase: ffmpeg ends, nothing arrives', async () => {
    const { camera, receiver } = await rigs({ passphrase: PASSPHRASE });
    const watcher = receiver.watch();
    const pusher = push(camera, receiver.pushUrl({ passphrase: 'Wrong-passphrase-31' }));
    await pusher.exited;
    expect(pusher.output()).toMatch(/REJECT.*Incorrect passphrase/);
    expect(watcher.frames()).toBe(0);
  });

  it('counts no frame while paused, and frames of a new push after a restart on the same port', async () => {
    const { camera, receiver } = await rigs();
    const watcher = receiver.watch();
    const first = push(camera, receiver.pushUrl());
    await watcher.waitForFrames(50, 30_000);

    receiver.pause();
    // Frames already in flight may still land; after that the count stands.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const paused = watcher.frames();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(watcher.frames()).toBe(paused);
    receiver.resume();

    await receiver.kill();
    // SRT notices the peer gone once it has been silent for its idle timeout (5 s): ffmpeg ends.
    await first.exited;
    await receiver.start();
    push(camera, receiver.pushUrl());
    await watcher.waitForFrames(50, 30_000);
  });
});
