import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAIN_SIZE, SUB_SIZE } from '../../src/demo/rtspCamera.js';
import { clipFrameHashes, consecutiveSourceOffset, streamFrameHashes } from '../helpers/frameHashes.js';
import { startSrtReceiver, type SrtReceiver } from '../helpers/srtReceiver.js';
import { until } from '../helpers/syncScenario.js';
import { CAMERA_PASSWORD, startPushRoom, trail, type PushRoom } from './cameraPushRoom.js';

/**
 * The live push over SRT to a real SRT listener (srt-live-transmit) on loopback, one daemon
 * carrying the scenarios in turn: `hall` pushes the H.264 camera's sub-stream with a passphrase,
 * a streamid and a latency, `stage` the H.265 camera's main stream (which RTMP cannot carry), and
 * `gate` gives its listener the wrong passphrase. Every secret of the push URLs is a canary that
 * the daemon's output, status, health and journal must never show.
 */
const PASSPHRASE = 'Canary-srt-pass-4711';
const STREAMID_SECRET = 'canary-streamid-4711';
const WRONG_PASSPHRASE = 'Canary-wrong-pass-4712';
const GATE_PASSPHRASE = 'Gate-listener-pass-4713';
const CANARIES = [PASSPHRASE, STREAMID_SECRET, WRONG_PASSPHRASE];

/** From the daemon's start (probes, ffmpeg's starts, a loaded machine) to a live push. */
const FIRST_LIVE_TIMEOUT_MS = 45_000;
const COMPARED_FRAMES = 50;
/** 5 s of the clip: more than SRT's buffers hold, so only a flowing push brings it. */
const RISING_FRAMES = 125;
const RISING_TIMEOUT_MS = 30_000;
const PAUSED_MS = 25_000;
/** SRT ends a connection whose peer is silent for 5 s (its peer idle timeout); the bound leaves room. */
const SILENCE_NOTICED_TIMEOUT_MS = 20_000;
/**
 * Back after the listener resumes or restarts: the push waits out its backoff (or the restart
 * cap's minute at worst, since every failed connection attempt counts), then connects again.
 */
const RECOVERY_TIMEOUT_MS = 75_000;
/** The listener refuses at once; the push backs off with the refusal named. */
const REFUSED_TIMEOUT_MS = 45_000;

let hall: SrtReceiver;
let stage: SrtReceiver;
let gate: SrtReceiver;
let room: PushRoom;

beforeAll(async () => {
  [hall, stage, gate] = await Promise.all([
    startSrtReceiver({ passphrase: PASSPHRASE }),
    startSrtReceiver(),
    startSrtReceiver({ passphrase: GATE_PASSPHRASE }),
  ]);
  room = await startPushRoom({
    cameras: [
      {
        name: 'hall',
        sub: true,
        receiver: {
          url: hall.pushUrl({
            latencyUs: 400_000,
            passphrase: PASSPHRASE,
            streamid: `#!::r=live/hall,m=publish,s=${STREAMID_SECRET}`,
          }),
          watch: () => hall.watch(),
        },
      },
      {
        name: 'stage',
        sub: false,
        variant: 'h265',
        receiver: { url: stage.pushUrl(), watch: () => stage.watch() },
      },
      {
        name: 'gate',
        sub: true,
        receiver: { url: gate.pushUrl({ passphrase: WRONG_PASSPHRASE }), watch: () => gate.watch() },
      },
    ],
  });
}, 120_000);

afterAll(async () => {
  await room?.close();
  await Promise.all([hall, stage, gate].map((receiver) => receiver?.stop()));
}, 60_000);

/** `name` live after `since` and frames rising at its receiver, each within its bound; the time it was live. */
async function liveAndRising(name: string, liveTimeoutMs: number, since = 0): Promise<number> {
  const liveAt = await room.reached(name, ['live'], since, liveTimeoutMs);
  await room.watchers.get(name)!.waitForFrames(RISING_FRAMES, RISING_TIMEOUT_MS);
  return liveAt;
}

/** The frames at the receiver are consecutive frames of the clip the camera sends: copied, not transcoded. */
async function copiedFromTheCamera(receiver: SrtReceiver, clip: string): Promise<void> {
  const [source, received] = await Promise.all([
    clipFrameHashes(clip),
    streamFrameHashes(receiver.tsUrl, COMPARED_FRAMES),
  ]);
  expect(received).toHaveLength(COMPARED_FRAMES);
  expect(consecutiveSourceOffset(received, source)).not.toBeNull();
}

/** Resolves once `name`'s states since `since` match `pattern` (see trail), or fails with them. */
async function trailMatches(name: string, since: number, pattern: RegExp, timeoutMs: number): Promise<string> {
  await until(
    () => pattern.test(trail(room.samples(name, since))),
    timeoutMs,
    () => `camera ${name}'s states to match ${String(pattern)}: ${trail(room.samples(name, since))}`,
  );
  return trail(room.samples(name, since));
}

describe('the live push over SRT', () => {
  vi.setConfig({ testTimeout: 180_000 });

  it.each([
    {
      what: 'H.264 (sub-stream, passphrase, streamid)',
      name: 'hall',
      receiver: () => hall,
      clip: () => room.cameraOf('hall').subClip,
      video: { codec: 'h264', ...SUB_SIZE },
    },
    {
      what: 'H.265, which RTMP cannot carry',
      name: 'stage',
      receiver: () => stage,
      clip: () => room.cameraOf('stage').clip,
      video: { codec: 'hevc', ...MAIN_SIZE },
    },
  ])('copies $what to the listener: consecutive clip frames arrive', async ({ name, receiver, clip, video }) => {
    await liveAndRising(name, FIRST_LIVE_TIMEOUT_MS);
    await copiedFromTheCamera(receiver(), clip());
    expect(room.samples(name).at(-1)!.camera).toMatchObject({ state: 'live', video });
  });

  it('backs off with server-refused when the listener rejects the passphrase, and is never live', async () => {
    await room.reached('gate', ['backoff'], 0, REFUSED_TIMEOUT_MS);
    await until(
      () => room.samples('gate').some(({ camera }) => camera.problem === 'server-refused'),
      REFUSED_TIMEOUT_MS,
      () => `gate refused: ${trail(room.samples('gate'))}`,
    );
    const refused = room.samples('gate').find(({ camera }) => camera.problem === 'server-refused')!.camera;
    expect(refused.lastError).toMatch(/REJECT.*Incorrect passphrase/);
    expect(room.samples('gate').map(({ camera }) => camera.state)).not.toContain('live');
    expect(gate.watch().frames()).toBe(0);
  });

  it(`notices a listener SIGSTOPped for ${PAUSED_MS / 1000} s while it is paused, and is live again after it resumes`, async () => {
    await liveAndRising('hall', FIRST_LIVE_TIMEOUT_MS);
    const pausedAt = performance.now();
    hall.pause();
    // UDP: no write blocks. SRT itself ends the connection once the listener has been silent for its peer idle timeout.
    const noticedAt = await room.reached(
      'hall',
      ['backoff', 'stalled', 'starting'],
      pausedAt,
      SILENCE_NOTICED_TIMEOUT_MS,
    );
    await sleep(Math.max(0, pausedAt + PAUSED_MS - performance.now()));
    const whilePaused = room.samples('hall', pausedAt);
    hall.resume();
    const resumedAt = performance.now();
    const liveAt = await liveAndRising('hall', RECOVERY_TIMEOUT_MS, resumedAt);
    console.log(
      `SRT listener paused ${PAUSED_MS} ms: push ${trail(room.samples('hall', pausedAt))}; not live ${Math.round(noticedAt - pausedAt)} ms after the pause, live ${Math.round(liveAt - resumedAt)} ms after resume`,
    );
    // Noticed as the server gone silent, and never live again while it was.
    expect(trail(whilePaused)).toMatch(/backoff\(server-unreachable\)/);
    expect(whilePaused.filter(({ at }) => at > noticedAt).map(({ camera }) => camera.state)).not.toContain('live');
    await copiedFromTheCamera(hall, room.cameraOf('hall').subClip);
  });

  it('names a closed SRT port server-unreachable, and is live again once the listener is back', async () => {
    await liveAndRising('hall', FIRST_LIVE_TIMEOUT_MS);
    const killedAt = performance.now();
    await hall.kill();
    // The broken connection first, then a start that finds the port closed: both the server unreachable.
    const states = await trailMatches(
      'hall',
      killedAt,
      /backoff\(server-unreachable\) → starting\(server-unreachable\) → backoff\(server-unreachable\)/,
      RECOVERY_TIMEOUT_MS,
    );
    const last = room.samples('hall', killedAt).at(-1)!.camera;
    expect(last.detail).toMatch(/media server cannot be reached/);
    await hall.start();
    const startedAt = performance.now();
    const liveAt = await liveAndRising('hall', RECOVERY_TIMEOUT_MS, startedAt);
    console.log(
      `SRT listener killed: push ${states}; live ${Math.round(liveAt - startedAt)} ms after it listened again`,
    );
  });

  it("never shows the SRT passphrase or streamid: not in the daemon's output, status, the county's health or the journal", () => {
    const status = JSON.stringify(['hall', 'stage', 'gate'].map((name) => room.samples(name)));
    const health = JSON.stringify(room.sync.center?.room(room.sync.deviceId));
    const journal = JSON.stringify(room.sync.room.readJournal(({ entries }) => entries(0, 100_000)));
    const output = room.sync.room.output();
    // They are there to be searched: the daemon ran, pushed and reported.
    expect(output).toContain('camera push started');
    expect(health).toContain('"hall"');
    expect(journal).toContain('camera.state');
    for (const [where, text] of Object.entries({ status, health, journal, output })) {
      for (const canary of [...CANARIES, CAMERA_PASSWORD])
        expect(text, `${where} holds ${canary}`).not.toContain(canary);
    }
  });
});
