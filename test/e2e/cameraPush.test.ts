import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writePidFile } from '../../src/util/processGroup.js';
import { runCli } from '../helpers/cli.js';
import { clipFrameHashes, consecutiveSourceOffset, streamFrameHashes } from '../helpers/frameHashes.js';
import { spawnRig } from '../../src/demo/rigProcess.js';
import { MAIN_SIZE, SUB_SIZE } from '../../src/demo/rtspCamera.js';
import { until } from '../helpers/syncScenario.js';
import {
  alive,
  CAMERA_PASSWORD,
  descendants,
  processes,
  pushStarts,
  startPushRoom,
  streamSize,
  trail,
  type PushRoom,
} from './cameraPushRoom.js';

/**
 * The live push under faults, one daemon carrying the scenarios in turn: two cameras in `mode:
 * always` on one test camera, `hall` pushing the main stream and `stage` the sub-stream, both
 * copied (transcode off). Each scenario begins by waiting for both pushes to be live, so a failed
 * one does not hide the next one's result.
 */
const HALL = { name: 'hall', stream: 'room-hall', sub: false };
const STAGE = { name: 'stage', stream: 'room-stage', sub: true };
const CAMERAS = [HALL, STAGE];
/** The schema's default cap: these scenarios run with it. */
const MAX_RESTARTS_PER_MINUTE = 6;
/** The push service's burst of `camera.state` journal entries per camera. */
const STATE_BURST = 4;

/** From the daemon's start (probe, ffmpeg's start, a loaded machine) to a live push. */
const FIRST_LIVE_TIMEOUT_MS = 45_000;
const COMPARED_FRAMES = 50;
/** The receiver's count rising by this many frames (2 s of the clip) shows a push flowing. */
const RISING_FRAMES = 50;
const RISING_TIMEOUT_MS = 30_000;
const CAMERA_DOWN_MS = 20_000;
/** The camera's outage noticed: ffmpeg sees its connection close at once; the probe is refused. */
const OUTAGE_NOTICED_TIMEOUT_MS = 15_000;
/** The promise: live again within 10 s of the camera serving again. */
const BACK_LIVE_MS = 10_000;
/** Waits past the promise, so that a late return fails with the time it took. */
const BACK_LIVE_WAIT_MS = 30_000;
/** A state change reaching the center in health (sent at most every 5 s, and on a change). */
const HEALTH_SEEN_TIMEOUT_MS = 20_000;
/** A sign-in's journal entry reaching the center through the broker. */
const SIGNIN_SYNCED_TIMEOUT_MS = 30_000;
/** No ffmpeg of a SIGKILLed agent may live longer than this. */
const ORPHAN_LIMIT_MS = 5_000;
/** The daemon's restart: its start ends the leftover before its first push. */
const LEFTOVER_ENDED_TIMEOUT_MS = 40_000;

let room: PushRoom;

beforeAll(async () => {
  room = await startPushRoom({ cameras: CAMERAS });
  await room.sync.room.addMembers();
}, 90_000);

afterAll(async () => {
  await room?.close();
}, 60_000);

/** The center's latest health report of `name`, once it shows one of `states`. */
async function centerSees(name: string, states: readonly string[]): Promise<Record<string, unknown>> {
  let seen: { state: string } | undefined;
  await until(
    () => {
      seen = room.sync.center?.room(room.sync.deviceId)?.cameras.find((report) => report.name === name);
      return seen !== undefined && states.includes(seen.state);
    },
    HEALTH_SEEN_TIMEOUT_MS,
    () => `the center's health of camera ${name} in ${states.join('/')} (last: ${JSON.stringify(seen)})`,
  );
  return seen as unknown as Record<string, unknown>;
}

/** Both pushes live now (or within `timeoutMs`), and frames rising at the receiver for each. */
async function bothLive(timeoutMs: number, since = 0): Promise<void> {
  for (const { name } of CAMERAS) await room.reached(name, ['live'], since, timeoutMs);
  await Promise.all(
    CAMERAS.map(({ name }) => room.watchers.get(name)!.waitForFrames(RISING_FRAMES, RISING_TIMEOUT_MS)),
  );
}

describe('the live push of a room camera', () => {
  vi.setConfig({ testTimeout: 150_000 });

  it('copies the stream as it is: 50 decoded frames at the receiver are consecutive frames of the clip, the sub-stream where there is one, and the count keeps rising', async () => {
    await bothLive(FIRST_LIVE_TIMEOUT_MS);
    const [mainSource, subSource, hall, stage, hallSize, stageSize] = await Promise.all([
      clipFrameHashes(room.camera.clip),
      clipFrameHashes(room.camera.subClip),
      streamFrameHashes(room.server.streamUrl(HALL.stream), COMPARED_FRAMES),
      streamFrameHashes(room.server.streamUrl(STAGE.stream), COMPARED_FRAMES),
      streamSize(room.server.streamUrl(HALL.stream)),
      streamSize(room.server.streamUrl(STAGE.stream)),
    ]);
    expect(hall).toHaveLength(COMPARED_FRAMES);
    expect(stage).toHaveLength(COMPARED_FRAMES);
    expect(consecutiveSourceOffset(hall, mainSource)).not.toBeNull();
    expect(consecutiveSourceOffset(stage, subSource)).not.toBeNull();
    expect(hallSize).toEqual(MAIN_SIZE);
    expect(stageSize).toEqual(SUB_SIZE);

    const [hallStatus, stageStatus] = CAMERAS.map(({ name }) => room.samples(name).at(-1)!.camera);
    expect(hallStatus).toMatchObject({ state: 'live', video: { codec: 'h264', ...MAIN_SIZE } });
    expect(stageStatus).toMatchObject({ state: 'live', video: { codec: 'h264', ...SUB_SIZE } });
    // Live: the count goes on rising after the comparison, twice over.
    for (let round = 0; round < 2; round++) await bothLive(RISING_TIMEOUT_MS);
  });

  it('goes stalled or backoff while the camera is gone for 20 s, is live again within 10 s of its return, and sign-in and sync go on meanwhile', async () => {
    await bothLive(FIRST_LIVE_TIMEOUT_MS);
    const killedAt = performance.now();
    await room.camera.kill();
    const noticedAt = new Map<string, number>();
    for (const { name } of CAMERAS)
      noticedAt.set(name, await room.reached(name, ['stalled', 'backoff'], killedAt, OUTAGE_NOTICED_TIMEOUT_MS));
    // The county sees it too, through health on the broker, with the problem and no credential.
    for (const { name } of CAMERAS) {
      const report = await centerSees(name, ['stalled', 'backoff']);
      expect([typeof report.problem, typeof report.detail], JSON.stringify(report)).toEqual(['string', 'string']);
      expect(JSON.stringify(report)).not.toContain(CAMERA_PASSWORD);
    }

    // A member signs in with the CLI while the camera is down; the entry reaches the center.
    const signIn = await runCli(
      ['signin', 'manual', 'm-001', '--confirmed-by', 's-001', '--config', room.sync.room.configPath],
      { timeoutMs: 20_000 },
    );
    expect(signIn.stderr).toBe('');
    expect(signIn.code).toBe(0);
    const seq = Number(/journal seq (\d+)/.exec(signIn.stdout)?.[1]);
    expect(seq).toBeGreaterThan(0);
    await room.sync.waitCenterPast(seq - 1, SIGNIN_SYNCED_TIMEOUT_MS);
    expect(room.sync.center!.storedSeqs(room.sync.deviceId)).toContain(seq);

    await sleep(Math.max(0, killedAt + CAMERA_DOWN_MS - performance.now()));
    for (const { name } of CAMERAS) {
      // Never live again while the camera was gone.
      const since = room.samples(name, noticedAt.get(name));
      expect(
        since.map((sample) => sample.camera.state),
        trail(since),
      ).not.toContain('live');
    }
    await room.camera.start();
    const servingAt = performance.now();
    const liveAt = await Promise.all(
      CAMERAS.map(({ name }) => room.reached(name, ['live'], servingAt, BACK_LIVE_WAIT_MS)),
    );
    for (const [index, { name }] of CAMERAS.entries()) {
      const took = liveAt[index]! - servingAt;
      console.log(`camera ${name}: live again ${Math.round(took)} ms after the camera served again`);
      expect(took, `${name}: ${trail(room.samples(name, killedAt))}`).toBeLessThanOrEqual(BACK_LIVE_MS);
      expect(trail(room.samples(name, killedAt))).toMatch(/(stalled|backoff)/);
    }
    await bothLive(RISING_TIMEOUT_MS, servingAt);
    for (const { name } of CAMERAS) await centerSees(name, ['live']);
  });

  it('leaves no ffmpeg behind when the agent is SIGKILLed, and a new agent ends a leftover before it pushes again', async () => {
    await bothLive(FIRST_LIVE_TIMEOUT_MS);
    const daemon = room.daemonPid();
    const pidFiles = room.pidFiles();
    const children = descendants(daemon);
    // Both pushes run, each named by a pid file and each a descendant of the daemon.
    expect(pidFiles.size).toBeGreaterThanOrEqual(CAMERAS.length);
    for (const pid of pidFiles.values()) expect(children).toContain(pid);
    const ofTheCamera = (): number[] =>
      processes()
        .filter(({ argv, zombie }) => !zombie && argv.some((arg) => arg.includes(`127.0.0.1:${room.camera.port}`)))
        .map(({ pid }) => pid);
    expect(ofTheCamera().length).toBeGreaterThanOrEqual(CAMERAS.length);

    const killedAt = performance.now();
    await room.sync.room.kill();
    let left: number[] = [];
    await until(
      () => (left = [...children, ...ofTheCamera()].filter(alive)).length === 0,
      ORPHAN_LIMIT_MS,
      () => `no process of the killed agent (left: ${left.join(', ')})`,
    ).catch((error: Error) => {
      throw new Error(`${error.message} after ${Math.round(performance.now() - killedAt)} ms`);
    });
    console.log(`every ffmpeg of the killed agent gone ${Math.round(performance.now() - killedAt)} ms after SIGKILL`);

    // What a killed agent leaves where the kernel could not end it: an ffmpeg still pushing,
    // named by a pid file in the push's run folder.
    const leftoverArgs = [
      ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'],
      ...['-rtsp_transport', 'tcp', '-timeout', '10000000', '-i', room.camera.subUrl],
      ...['-map', '0:v:0', '-c', 'copy', '-f', 'flv', room.server.streamUrl(STAGE.stream)],
    ];
    const leftover = spawnRig('ffmpeg', leftoverArgs);
    try {
      await room.watchers.get(STAGE.name)!.waitForFrames(RISING_FRAMES, RISING_TIMEOUT_MS);
      writePidFile(room.runDir, 'push-stage-1', leftover.pid, ['ffmpeg', ...leftoverArgs]);

      const restartedAt = performance.now();
      await room.sync.room.start();
      await Promise.race([
        leftover.exited,
        sleep(LEFTOVER_ENDED_TIMEOUT_MS).then(() => {
          throw new Error(`the leftover ffmpeg still runs ${LEFTOVER_ENDED_TIMEOUT_MS} ms after the agent's start`);
        }),
      ]);
      const ended = room.logs().filter((line) => line.msg === 'ffmpeg processes of an earlier agent ended');
      expect(ended.at(-1)).toMatchObject({ ended: ['push-stage-1'] });
      await bothLive(FIRST_LIVE_TIMEOUT_MS, restartedAt);
    } finally {
      await leftover.end('SIGKILL');
    }
  });

  it(`starts ffmpeg at most ${MAX_RESTARTS_PER_MINUTE} times in any minute over the faults, and journals the state changes sparingly`, () => {
    const logs = room.logs();
    for (const { name } of CAMERAS) {
      // 59 s, not 60: the log's times are taken a moment after the supervisor's own.
      const { times, mostInWindow } = pushStarts(logs, name, 59_000);
      console.log(`camera ${name}: ${times.length} ffmpeg starts, at most ${mostInWindow} in a minute`);
      expect(times.length).toBeGreaterThanOrEqual(3);
      expect(mostInWindow).toBeLessThanOrEqual(MAX_RESTARTS_PER_MINUTE);
      const reported = room.samples(name).map((sample) => sample.camera.restartsLastMinute);
      expect(Math.max(...reported)).toBeLessThanOrEqual(MAX_RESTARTS_PER_MINUTE);
    }
    // Per camera and daemon: a burst of STATE_BURST, one more a minute, one at a clean stop.
    const minutes = Math.ceil((performance.now() - room.startedAt) / 60_000);
    const daemons = 2;
    const states = room.sync.room.readJournal(({ entries }) =>
      entries(0, 100_000).filter((entry) => entry.type === 'camera.state'),
    );
    expect(JSON.stringify(states)).not.toContain(CAMERA_PASSWORD);
    for (const { name } of CAMERAS) {
      const written = states.filter((entry) => (entry.payload as { camera?: string }).camera === name).length;
      expect(written).toBeGreaterThanOrEqual(3);
      expect(written).toBeLessThanOrEqual(daemons * (STATE_BURST + 1) + minutes);
    }
  });
});
