import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { SyncScenario } from '../helpers/syncScenario.js';
import { useSyncScenario } from '../helpers/syncScenario.js';
import {
  CAMERA,
  CAMERA_PASSWORD,
  END_TIMEOUT_MS,
  journal,
  logged,
  photoEntries,
  PHOTO_TIMEOUT_MS,
  PUSH_LIVE_TIMEOUT_MS,
  PUSH_STOP_TIMEOUT_MS,
  startMeeting,
  usePhotoRoom,
  waitForCenterFiles,
  waitForEntry,
  waitForPushState,
  waitForSlot,
} from './cameraPhotoRoom.js';

const open = useSyncScenario();
const photoRoom = usePhotoRoom(open);

/** photos: 4 over two minutes: at 0, 40 and 80 s, and at the end. */
const DURATION_MS = 120_000;
const SLOT_MS = 40_000;
/** Past a slot's time before the agent comes back: its photo is then a catch-up, not one on time. */
const PAST_SLOT_MS = 3_000;
/** The camera goes at least this long before the third photo is due. */
const KILL_MARGIN_MS = 5_000;
/** Three grabs of a camera that refuses connections, 2 s and 4 s apart, with time to spare. */
const MISSED_TIMEOUT_MS = 40_000;

async function meetingPhotosState(scenario: SyncScenario): Promise<string | undefined> {
  const status = await scenario.room.status();
  return status.services.find(({ name }) => name === 'meeting-photos')?.state;
}

it('keeps a meeting’s photo schedule across an agent restart, and a photo camera that is down at a photo time is retried, journaled missed with a masked reason, and photographs the next slot once back', async () => {
  const { scenario, camera } = await photoRoom();
  const started = await startMeeting(scenario, { photos: 4, durationMin: DURATION_MS / 60_000 });
  const { activityId } = started.payload as { activityId: string };
  await waitForSlot(scenario, activityId, 0);

  // Down between the first two photos, back once the second one's time has passed.
  await scenario.room.stop();
  await sleep(started.wallMs + SLOT_MS + PAST_SLOT_MS - Date.now());
  const restartedAt = Date.now();
  await scenario.room.start();
  const catchUp = await waitForSlot(scenario, activityId, 1);
  expect(catchUp.type).toBe('camera.photo');
  expect(catchUp.wallMs).toBeGreaterThanOrEqual(restartedAt);
  const afterRestart = await scenario.room.status();
  expect(afterRestart.activity?.id).toBe(activityId);
  // The restarted agent pushes the meeting it found running, in time for the camera to go before the next photo.
  const killBy = started.wallMs + 2 * SLOT_MS - KILL_MARGIN_MS;
  await waitForPushState(scenario, 'live', Math.min(PUSH_LIVE_TIMEOUT_MS, killBy - Date.now()));

  // The camera gone at the third photo's time.
  await camera.kill();
  expect(Date.now(), 'the camera went before the third photo was due').toBeLessThan(killBy);
  const missed = await waitForSlot(scenario, activityId, 2, SLOT_MS + MISSED_TIMEOUT_MS);
  expect(missed.type).toBe('camera.photo.missed');
  const { reason } = missed.payload as { reason: string };
  expect(reason).toMatch(/^unreachable: /);
  expect(reason).not.toContain('rtsp://');
  expect(reason).not.toContain(CAMERA_PASSWORD);
  expect(missed.wallMs - started.wallMs).toBeGreaterThanOrEqual(2 * SLOT_MS);
  const retries = logged(scenario, 'photo grab failed; trying again').filter(
    (line) => line.camera === CAMERA && (line.time as number) >= started.wallMs + 2 * SLOT_MS,
  );
  expect(retries.map((line) => line.attempt)).toEqual([1, 2]);
  // No crash: the same daemon answers, and says its photos are degraded.
  expect((await scenario.room.status()).daemon?.pid).toBe(afterRestart.daemon?.pid);
  expect(await meetingPhotosState(scenario)).toBe('degraded');

  await camera.start();
  const ended = await waitForEntry(
    scenario,
    'the activity ended by its planned duration',
    (entries) => entries.find(({ type }) => type === 'activity.ended'),
    DURATION_MS + END_TIMEOUT_MS - (Date.now() - started.wallMs),
  );
  const end = await waitForSlot(scenario, activityId, 3, PHOTO_TIMEOUT_MS);
  expect(end.type).toBe('camera.photo');
  expect(end.wallMs).toBeGreaterThanOrEqual(ended.wallMs);
  expect(await meetingPhotosState(scenario)).toBe('ok');
  await waitForPushState(scenario, 'idle', PUSH_STOP_TIMEOUT_MS);

  // Each slot once: none photographed twice, none lost, the one catch-up taken.
  const photos = photoEntries(scenario, activityId);
  expect(photos.map(({ type, p }) => [type, p.slot])).toEqual([
    ['camera.photo', 0],
    ['camera.photo', 1],
    ['camera.photo.missed', 2],
    ['camera.photo', 3],
  ]);
  expect(journal(scenario).filter(({ type }) => type === 'agent.started')).toHaveLength(2);
  const taken = photos.filter(({ type }) => type === 'camera.photo');
  const files = await waitForCenterFiles(scenario, taken.length);
  expect(files.map(({ fileId, diskSha256 }) => ({ fileId, sha256: diskSha256 }))).toEqual(
    taken.map(({ p }) => ({ fileId: p.fileId, sha256: p.sha256 })),
  );
  expect(JSON.stringify(journal(scenario))).not.toContain(CAMERA_PASSWORD);
  expect(scenario.room.output()).not.toContain(CAMERA_PASSWORD);
});
