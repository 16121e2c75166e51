import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { CLIP_FPS } from '../../src/demo/cameraClips.js';
import { makeTempDir } from '../helpers/cli.js';
import { useSyncScenario } from '../helpers/syncScenario.js';
import {
  CAMERA,
  CAMERA_PASSWORD,
  END_TIMEOUT_MS,
  journal,
  PHOTO_TIMEOUT_MS,
  photoEntries,
  PUSH_LIVE_TIMEOUT_MS,
  PUSH_STOP_TIMEOUT_MS,
  pushState,
  startMeeting,
  STREAM,
  usePhotoRoom,
  waitForCenterFiles,
  waitForEntry,
  waitForPushState,
  waitForSlot,
} from './cameraPhotoRoom.js';

const run = promisify(execFile);
const open = useSyncScenario();
const photoRoom = usePhotoRoom(open);

const MINUTE_MS = 60_000;
/** photos: 3 over one minute: at the start, half way, and at the end. */
const MIDDLE_MS = 30_000;
/** Frames at the media server that show the push is live (two seconds of the camera's). */
const PUSH_FRAMES = 2 * CLIP_FPS;
/** The receiver's last progress report after the push stopped. */
const SETTLE_MS = 2_000;
/** A push still running would bring 125 frames in this time. */
const STILL_MS = 5_000;
/** Bare grabs of the same camera, for the latency's contrast. */
const BARE_GRABS = 3;

/** `ffmpeg -frames:v 1` of the camera with ffmpeg's default probing: what a technician would type. */
async function bareGrabMs(url: string, output: string): Promise<number> {
  const began = performance.now();
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-rtsp_transport', 'tcp', '-i', url],
    ...['-frames:v', '1', '-y', output],
  ]);
  return performance.now() - began;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

it('photographs a one-minute meeting of photos: 3 at its start, middle and end, each journaled and received whole by the center, and pushes the camera during the meeting only', async () => {
  const { scenario, camera, server } = await photoRoom();
  const received = server.watch(STREAM);
  // Mode activity: no push before the meeting.
  await waitForPushState(scenario, 'idle', PUSH_STOP_TIMEOUT_MS);
  const started = await startMeeting(scenario, { photos: 3, durationMin: 1 });
  const { activityId } = started.payload as { activityId: string };

  const first = await waitForSlot(scenario, activityId, 0);
  await received.waitForFrames(PUSH_FRAMES, PUSH_LIVE_TIMEOUT_MS);
  await waitForPushState(scenario, 'live', PUSH_LIVE_TIMEOUT_MS);
  // The daemon's grab as the meeting sees it: from the activity's start entry to its first photo's.
  const agentGrabMs = first.wallMs - started.wallMs;
  const temp = makeTempDir('bare-grab-');
  const bareMs: number[] = [];
  try {
    for (let grab = 0; grab < BARE_GRABS; grab++) bareMs.push(await bareGrabMs(camera.url, join(temp.dir, 'bare.jpg')));
  } finally {
    temp.cleanup();
  }
  console.info(
    `photo grab latency on the test camera: agent ${agentGrabMs} ms (activity start to journaled photo), ` +
      `bare ffmpeg -frames:v 1 median ${Math.round(median(bareMs))} ms of ${bareMs.map(Math.round).join(', ')}`,
  );

  // Still live at the middle photo.
  await waitForSlot(scenario, activityId, 1, MIDDLE_MS + PHOTO_TIMEOUT_MS);
  await received.waitForFrames(PUSH_FRAMES, PUSH_LIVE_TIMEOUT_MS);
  expect(await pushState(scenario)).toBe('live');

  const ended = await waitForEntry(
    scenario,
    'the activity ended by its planned duration',
    (entries) => entries.find(({ type }) => type === 'activity.ended'),
    MINUTE_MS + END_TIMEOUT_MS,
  );
  await waitForSlot(scenario, activityId, 2);
  // The push lasted the meeting and ends with it: idle, and nothing more reaches the media server.
  await waitForPushState(scenario, 'idle', PUSH_STOP_TIMEOUT_MS);
  await sleep(SETTLE_MS);
  const framesAtStop = received.frames();
  await sleep(STILL_MS);
  expect(received.frames()).toBe(framesAtStop);

  const photos = photoEntries(scenario, activityId);
  expect(photos.map(({ type, p }) => [type, p.slot])).toEqual([
    ['camera.photo', 0],
    ['camera.photo', 1],
    ['camera.photo', 2],
  ]);
  for (const { p } of photos) {
    expect(p).toMatchObject({ camera: CAMERA, activityId, reason: 'schedule' });
    expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
  }
  const [start, middle, end] = photos.map(({ wallMs }) => wallMs - started.wallMs) as [number, number, number];
  const endedMs = ended.wallMs - started.wallMs;
  expect(start).toBeGreaterThanOrEqual(0);
  expect(start).toBeLessThan(PHOTO_TIMEOUT_MS);
  expect(middle).toBeGreaterThanOrEqual(MIDDLE_MS);
  expect(middle).toBeLessThan(MIDDLE_MS + PHOTO_TIMEOUT_MS);
  expect(endedMs).toBeGreaterThanOrEqual(MINUTE_MS);
  expect(endedMs).toBeLessThan(MINUTE_MS + END_TIMEOUT_MS);
  expect(end).toBeGreaterThanOrEqual(endedMs);
  expect(end).toBeLessThan(endedMs + PHOTO_TIMEOUT_MS);

  // The center stored each photo as a photo of the meeting, and the bytes on its disk are the ones journaled.
  const files = await waitForCenterFiles(scenario, photos.length);
  expect(files).toHaveLength(photos.length);
  for (const { p } of photos) {
    const file = files.find(({ fileId }) => fileId === p.fileId);
    expect(file, `photo ${p.slot} at the center`).toMatchObject({
      kind: 'photo',
      sha256: p.sha256,
      diskSha256: p.sha256,
      meta: { camera: CAMERA, activityId, slot: p.slot, reason: 'schedule' },
    });
  }
  // The county board's tile of the room shows the meeting's pictures, the last one first.
  expect(scenario.center?.recentPhotos(scenario.deviceId, 3).map((photo) => photo.fileId)).toEqual(
    [...photos].reverse().map(({ p }) => p.fileId),
  );
  expect(JSON.stringify(journal(scenario))).not.toContain(CAMERA_PASSWORD);
  expect(scenario.room.output()).not.toContain(CAMERA_PASSWORD);
});
