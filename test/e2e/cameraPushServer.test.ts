import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clipFrameHashes, consecutiveSourceOffset, streamFrameHashes } from '../helpers/frameHashes.js';
import { pushStarts, startPushRoom, trail, type PushRoom } from './cameraPushRoom.js';

/**
 * The live push when the county's media server fails, one daemon carrying the scenarios in turn:
 * one camera in `mode: always` pushing its main stream (600 kbit/s, a sub-stream's rate on many
 * cameras), with a restart cap below the schema's
 * default so that the faults come near it. Each scenario begins by waiting for the push to be
 * live, so a failed one does not hide the next one's result.
 */
const CAMERA = { name: 'hall', stream: 'room-hall', sub: false };
const MAX_RESTARTS_PER_MINUTE = 4;

/** From the daemon's start (probe, ffmpeg's start, a loaded machine) to a live push. */
const FIRST_LIVE_TIMEOUT_MS = 45_000;
/** 5 s of the clip: more than a paused server's socket buffers hold, so only a flowing push brings it. */
const RISING_FRAMES = 125;
const RISING_TIMEOUT_MS = 30_000;
const PAUSED_MS = 30_000;
/**
 * Back after the server resumes or restarts: a push that died meanwhile waits out its backoff
 * (at most a few seconds, or the restart cap's minute at worst), then probes and starts again.
 */
const RECOVERY_TIMEOUT_MS = 75_000;
/** A restarted server drops the push's connection: ffmpeg's write fails at once. */
const DROP_NOTICED_TIMEOUT_MS = 20_000;
const COMPARED_FRAMES = 50;

let room: PushRoom;

beforeAll(async () => {
  room = await startPushRoom({ cameras: [CAMERA], maxRestartsPerMinute: MAX_RESTARTS_PER_MINUTE });
}, 90_000);

afterAll(async () => {
  await room?.close();
}, 60_000);

const watcher = () => room.watchers.get(CAMERA.name)!;

/** The push live after `since` and frames rising at the receiver, each within its bound. */
async function liveAndRising(liveTimeoutMs: number, since = 0): Promise<number> {
  const liveAt = await room.reached(CAMERA.name, ['live'], since, liveTimeoutMs);
  await watcher().waitForFrames(RISING_FRAMES, RISING_TIMEOUT_MS);
  return liveAt;
}

/** The frames at the receiver are the camera's, copied: the push that came back is the real one. */
async function copiedFromTheCamera(): Promise<void> {
  const [source, received] = await Promise.all([
    clipFrameHashes(room.camera.clip),
    streamFrameHashes(room.server.streamUrl(CAMERA.stream), COMPARED_FRAMES),
  ]);
  expect(consecutiveSourceOffset(received, source)).not.toBeNull();
}

describe('the live push when the media server fails', () => {
  vi.setConfig({ testTimeout: 150_000 });

  it('recovers after nginx was SIGSTOPped for 30 s: live again, frames rising at the receiver', async () => {
    await liveAndRising(FIRST_LIVE_TIMEOUT_MS);
    const pausedAt = performance.now();
    room.server.pause();
    await sleep(PAUSED_MS);
    const framesAtResume = watcher().frames();
    room.server.resume();
    const resumedAt = performance.now();
    // Whatever the pause did to the push (a stall, an exit on the write timeout), it is live after it.
    const liveAt = await room.reached(CAMERA.name, ['live'], resumedAt, RECOVERY_TIMEOUT_MS);
    await watcher().waitForFrames(RISING_FRAMES, RECOVERY_TIMEOUT_MS);
    console.log(
      `nginx paused ${PAUSED_MS} ms: push ${trail(room.samples(CAMERA.name, pausedAt))}, live ${Math.round(liveAt - resumedAt)} ms after resume`,
    );
    expect(watcher().frames()).toBeGreaterThanOrEqual(framesAtResume + RISING_FRAMES);
    // The write timeout or the stall watchdog noticed the silent server while it was paused.
    expect(trail(room.samples(CAMERA.name, pausedAt))).toMatch(/(stalled|backoff|starting)/);
    await copiedFromTheCamera();
  });

  it('comes back after nginx is restarted mid-push', async () => {
    await liveAndRising(FIRST_LIVE_TIMEOUT_MS);
    const restartedAt = performance.now();
    await room.server.restart();
    // Live after the drop was noticed: a sample taken before that still shows the old push.
    const droppedAt = await room.reached(
      CAMERA.name,
      ['stalled', 'backoff', 'starting', 'probing'],
      restartedAt,
      DROP_NOTICED_TIMEOUT_MS,
    );
    const liveAt = await liveAndRising(RECOVERY_TIMEOUT_MS, droppedAt);
    console.log(
      `nginx restarted: push ${trail(room.samples(CAMERA.name, restartedAt))}, live ${Math.round(liveAt - restartedAt)} ms after`,
    );
    await copiedFromTheCamera();
  });

  it(`starts ffmpeg at most ${MAX_RESTARTS_PER_MINUTE} times in any minute over the faults`, () => {
    // 59 s, not 60: the log's times are taken a moment after the supervisor's own.
    const { times, mostInWindow } = pushStarts(room.logs(), CAMERA.name, 59_000);
    console.log(`${times.length} ffmpeg starts, at most ${mostInWindow} in a minute`);
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(mostInWindow).toBeLessThanOrEqual(MAX_RESTARTS_PER_MINUTE);
    const reported = room.samples(CAMERA.name).map((sample) => sample.camera.restartsLastMinute);
    expect(Math.max(...reported)).toBeLessThanOrEqual(MAX_RESTARTS_PER_MINUTE);
  });
});
