import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startMediaServer, type MediaServer } from '../../src/demo/mediaServer.js';
import { startRtspCamera } from '../../src/demo/rtspCamera.js';
import { until, useSyncScenario } from '../helpers/syncScenario.js';
import {
  command,
  everythingShown,
  expectNoSecrets,
  FRAMES_TIMEOUT_MS,
  LIVE_TIMEOUT_MS,
  STATE_TIMEOUT_MS,
  useRigs,
  waitForCamera,
} from './cameraProbeRoom.js';

const PASSWORD = 'Cmd-Canary-2b7f';
const PUSH_KEY = 'Cmd-Key-Canary-41e9';
/** A photo of a few dozen kB reaches the center once its upload ran. */
const UPLOAD_TIMEOUT_MS = 30_000;
/** nginx has taken in a publisher's close this long after ffmpeg ended (the stop's reply comes after that). */
const STOP_SETTLE_MS = 1_000;
/**
 * How long a fresh pull of a stopped stream must get no frame: longer than the supervisor's tick
 * and backoff together, so a push that restarted by itself would show.
 */
const NOTHING_PUSHED_MS = 8_000;

const scenario = useSyncScenario();
const rig = useRigs();

/**
 * A fresh pull of the stream gets no frame for NOTHING_PUSHED_MS. A fresh one: a pull that was
 * running when the push ended counts the frames it flushes when it ends, seconds later.
 */
async function expectNothingPushed(server: MediaServer, stream: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, STOP_SETTLE_MS));
  const fresh = server.watch(stream);
  await new Promise((resolve) => setTimeout(resolve, NOTHING_PUSHED_MS));
  expect(fresh.frames(), `frames of ${stream} after its stop`).toBe(0);
  await fresh.stop();
}

it('camera.stream and camera.photo from the reference center through Mosquitto: an on-demand push starts and stops, a stop on an always camera holds until an activity starts, and the photo reaches the center with its sha256', async () => {
  const [camera, server] = await Promise.all([
    rig(startRtspCamera({ variant: 'h264', user: 'admin', password: PASSWORD })),
    rig(startMediaServer()),
  ]);
  const push = (stream: string, mode: string): { url: string; mode: string } => ({
    url: `${server.streamUrl(stream)}?key=${PUSH_KEY}`,
    mode,
  });
  const sync = await scenario({
    sections: {
      cameras: [
        { name: 'hall', url: camera.url, subUrl: camera.subUrl, push: push('hall', 'always') },
        { name: 'demand', url: camera.url, subUrl: camera.subUrl, push: push('demand', 'on-demand') },
      ],
    },
  });
  const { room } = sync;
  const hall = server.watch('hall');
  const demand = server.watch('demand');
  const center = await sync.startCenter();
  await room.start();
  await waitForCamera(sync, 'hall', 'live', ({ state }) => state === 'live', LIVE_TIMEOUT_MS);
  await hall.waitForFrames(50, FRAMES_TIMEOUT_MS);
  expect((await room.status()).cameras.find(({ name }) => name === 'demand')?.state).toBe('idle');

  // camera.photo: the reply names the file, the journal records it, the center stores the same bytes.
  const photo = await command(sync, 'camera.photo', { camera: 'hall' });
  expect(photo).toMatchObject({ status: 'done' });
  const taken = (photo as { result: { fileId: string; sha256: string; bytes: number } }).result;
  expect(taken.sha256).toMatch(/^[0-9a-f]{64}$/);
  const journaled = room.readJournal(({ entries }) =>
    entries(0, 100_000)
      .filter(({ type }) => type === 'camera.photo')
      .map(({ payload }) => payload),
  );
  expect(journaled).toEqual([
    { camera: 'hall', reason: 'command', fileId: taken.fileId, sha256: taken.sha256, bytes: taken.bytes },
  ]);
  await until(
    () => center.photo(sync.deviceId, taken.fileId) !== null,
    UPLOAD_TIMEOUT_MS,
    () => `photo ${taken.fileId} at the center (newest ${JSON.stringify(center.recentPhotos(sync.deviceId, 1))})`,
  );
  const stored = readFileSync(center.photo(sync.deviceId, taken.fileId)!.path);
  expect({ bytes: stored.length, sha256: createHash('sha256').update(stored).digest('hex') }).toEqual({
    bytes: taken.bytes,
    sha256: taken.sha256,
  });
  expect(stored.subarray(0, 2).toString('hex')).toBe('ffd8');

  // On demand: nothing is pushed until the center asks; start brings it live, stop ends it.
  expect(demand.frames()).toBe(0);
  const started = await command(sync, 'camera.stream', { camera: 'demand', action: 'start' });
  // The reply reports the state reached within its own wait (15 s): live, unless a loaded machine made the start slower.
  expect(started).toMatchObject({ status: 'done', result: { camera: 'demand' } });
  expect(['live', 'starting', 'probing']).toContain((started.result as { state: string }).state);
  await waitForCamera(sync, 'demand', 'live', ({ state }) => state === 'live', LIVE_TIMEOUT_MS);
  await demand.waitForFrames(50, FRAMES_TIMEOUT_MS);
  const stopped = await command(sync, 'camera.stream', { camera: 'demand', action: 'stop' });
  expect(stopped).toMatchObject({ status: 'done', result: { camera: 'demand', state: 'stopped' } });
  await expectNothingPushed(server, 'demand');

  // A stop on the `always` camera holds: no restart however long it waits…
  const held = await command(sync, 'camera.stream', { camera: 'hall', action: 'stop' });
  expect(held).toMatchObject({ status: 'done', result: { camera: 'hall', state: 'stopped' } });
  await expectNothingPushed(server, 'hall');
  expect((await room.status()).cameras.map(({ name, state }) => ({ name, state }))).toEqual([
    { name: 'hall', state: 'stopped' },
    { name: 'demand', state: 'stopped' },
  ]);

  // …until the next start event: an activity. The on-demand camera stays unpushed: nobody asked for it.
  const activity = await command(sync, 'activity.start', { type: 'branch-meeting', title: '支部党员大会' });
  expect(activity).toMatchObject({ status: 'done' });
  await waitForCamera(sync, 'hall', 'live again', ({ state }) => state === 'live', LIVE_TIMEOUT_MS);
  await server.watch('hall').waitForFrames(50, FRAMES_TIMEOUT_MS);
  // The journal agrees: no state of the hall camera between its stop and the activity.
  const STOPPED = 'camera.state {"camera":"hall","state":"stopped"}';
  const sinceStop = room.readJournal(({ entries }) => {
    const all = entries(0, 100_000)
      .filter(({ type }) => type === 'camera.state' || type === 'activity.started')
      .map(({ type, payload }) => (type === 'camera.state' ? `${type} ${JSON.stringify(payload)}` : type));
    return all.slice(all.lastIndexOf(STOPPED));
  });
  expect(sinceStop.slice(0, sinceStop.indexOf('activity.started') + 1)).toEqual([STOPPED, 'activity.started']);
  await waitForCamera(sync, 'demand', 'idle', ({ state }) => state === 'idle', STATE_TIMEOUT_MS);

  const replies = { photo, started, stopped, held, activity };
  expectNoSecrets(
    {
      ...(await everythingShown(sync)),
      ...Object.fromEntries(Object.entries(replies).map(([name, reply]) => [`${name} reply`, JSON.stringify(reply)])),
    },
    [PASSWORD, PUSH_KEY],
  );
});
