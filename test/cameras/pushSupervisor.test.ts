import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PushWish } from '../../src/cameras/pushPolicy.js';
import { FAILED_REPROBE_MS, PUSH_BACKOFF, MediaSupervisor, TICK_MS } from '../../src/cameras/supervisor.js';
import type { CameraState } from '../../src/cameras/types.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { busiestWindow, FakeCameraError, fakeTools, h264, h265, silentLogger, type FakeTools } from './fakePush.js';

const STALL_SECONDS = 20;
const MAX_RESTARTS = 6;

let tools: FakeTools;
let wish: PushWish;
let supervisor: MediaSupervisor;
/** Every state the supervisor announced, with the test clock's time. */
let states: Array<{ state: CameraState; at: number }>;

function startSupervisor(random = seededRandom(1)): void {
  supervisor = new MediaSupervisor({
    target: {
      name: 'hall',
      purpose: 'push',
      inputUrl: 'rtsp://cam/sub',
      stallTimeoutSeconds: STALL_SECONDS,
      maxRestartsPerMinute: MAX_RESTARTS,
    },
    tools,
    wish: () => wish,
    onChange: () => states.push({ state: supervisor.report().state, at: Date.now() }),
    now: () => Date.now(),
    random,
    logger: silentLogger,
  });
  supervisor.start();
}

const advance = (ms: number): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);
const state = (): CameraState => supervisor.report().state;

beforeEach(() => {
  vi.useFakeTimers();
  tools = fakeTools(() => Date.now());
  wish = 'push';
  states = [];
});

afterEach(async () => {
  wish = 'idle';
  await supervisor.stop();
  vi.useRealTimers();
});

describe('MediaSupervisor', () => {
  it('probes, starts ffmpeg, and is live once frames rise', async () => {
    startSupervisor();
    await advance(0);
    expect(tools.probes).toBe(1);
    expect(state()).toBe('starting');
    tools.runs[0]!.frames();
    expect(state()).toBe('live');
    expect(states.map((entry) => entry.state)).toEqual(['probing', 'starting', 'live']);
    const report = supervisor.report();
    expect(report).toMatchObject({
      video: { codec: 'h264', width: 640, height: 360, fps: 25 },
      audio: { codec: 'pcm_alaw', pushedAs: 'aac' },
      bitrateKbps: 512,
      restartsLastMinute: 1,
    });
    expect(report.problem).toBeUndefined();
  });

  it('no new frame for the stall timeout: stalled, ffmpeg stopped, restarted', async () => {
    startSupervisor();
    await advance(0);
    const first = tools.runs[0]!;
    first.frames();
    await advance((STALL_SECONDS - 2) * 1000);
    expect(state()).toBe('live');
    first.frames();
    // Frames keep the push live; then they stop.
    await advance((STALL_SECONDS - 1) * 1000);
    expect(state()).toBe('live');
    await advance(2 * TICK_MS);
    expect(states.map((entry) => entry.state)).toContain('stalled');
    expect(first.stopCalls).toBe(1);
    expect(supervisor.report()).toMatchObject({ problem: 'timeout' });
    await advance(PUSH_BACKOFF.maxMs);
    expect(tools.runs).toHaveLength(2);
    // A stall may mean the camera changed: it is probed again.
    expect(tools.probes).toBe(2);
    tools.runs[1]!.frames();
    expect(state()).toBe('live');
    expect(supervisor.report().problem).toBeUndefined();
  });

  it('a start that never writes a frame counts as a stall too', async () => {
    startSupervisor();
    await advance(0);
    await advance(STALL_SECONDS * 1000 + TICK_MS);
    expect(tools.runs[0]!.stopCalls).toBe(1);
    expect(states.map((entry) => entry.state)).toContain('stalled');
  });

  it('an exit with code 0 (the input timed out) restarts ffmpeg', async () => {
    startSupervisor();
    await advance(0);
    tools.runs[0]!.frames();
    tools.runs[0]!.exit(0);
    await advance(0);
    expect(state()).toBe('backoff');
    expect(supervisor.report()).toMatchObject({ problem: 'timeout' });
    await advance(PUSH_BACKOFF.maxMs);
    expect(tools.runs).toHaveLength(2);
    expect(state()).toBe('starting');
  });

  it('backs off with jitter: each delay within [(1 − jitter)·d, d] of its attempt, growing to the cap', async () => {
    tools.onRun = (run) => run.exit(1);
    startSupervisor(seededRandom(99));
    await advance(60_000);
    const backoffs = states.filter((entry) => entry.state === 'backoff').map((entry) => entry.at);
    const delays = tools.startTimes.slice(1).map((start, index) => start - backoffs[index]!);
    expect(delays.length).toBeGreaterThanOrEqual(5);
    delays.slice(0, 5).forEach((delay, attempt) => {
      const ceiling = Math.min(PUSH_BACKOFF.maxMs, PUSH_BACKOFF.minMs * 2 ** attempt);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling * (1 - PUSH_BACKOFF.jitter)));
      expect(delay).toBeLessThanOrEqual(ceiling);
    });
    // Jittered, not a fixed schedule: the delays at the cap differ.
    expect(new Set(delays.slice(3)).size).toBeGreaterThan(1);
  });

  it('never exceeds maxRestartsPerMinute over 10 minutes of an ffmpeg that crashes at once, and keeps trying', async () => {
    tools.onRun = (run) => run.exit(1);
    startSupervisor(seededRandom(7));
    let most = 0;
    for (let second = 0; second < 600; second += 1) {
      await advance(1000);
      most = Math.max(most, supervisor.report().restartsLastMinute);
    }
    expect(busiestWindow(tools.startTimes, 60_000)).toBe(MAX_RESTARTS);
    expect(most).toBeLessThanOrEqual(MAX_RESTARTS);
    // The cap brakes it; it never gives up: about MAX_RESTARTS a minute.
    expect(tools.startTimes.length).toBeGreaterThanOrEqual(9 * MAX_RESTARTS);
  });

  it('"already publishing": backs off and retries without probing the camera again', async () => {
    tools.stderrOnStart = ['[rtmp @ 0x1] Server error: Already publishing'.toLowerCase()];
    tools.onRun = (run) => run.exit(1);
    startSupervisor();
    await advance(0);
    expect(state()).toBe('backoff');
    expect(supervisor.report().problem).toBe('server-refused');
    expect(supervisor.report().lastError).toContain('already publishing');
    tools.stderrOnStart = [];
    tools.onRun = () => {};
    await advance(PUSH_BACKOFF.maxMs);
    expect(tools.runs).toHaveLength(2);
    expect(tools.probes).toBe(1);
    tools.runs[1]!.frames();
    expect(state()).toBe('live');
  });

  it('H.265 over RTMP: failed with the problem, no ffmpeg started, re-probed only rarely', async () => {
    tools.probeResult = h265;
    startSupervisor();
    await advance(60_000);
    expect(state()).toBe('failed');
    expect(supervisor.report()).toMatchObject({ problem: 'h265-over-rtmp', lastError: 'H.265 cannot go over RTMP' });
    // What the camera sends is shown: the technician sees which setting to change.
    expect(supervisor.report().video).toEqual(h265.video);
    expect(tools.runs).toHaveLength(0);
    expect(tools.probes).toBe(1);
    // Someone set the camera to H.264: the next rare probe finds it.
    tools.probeResult = { video: { codec: 'h264', width: 640, height: 360, fps: 25 }, audio: null };
    await advance(FAILED_REPROBE_MS - 60_000);
    expect(tools.probes).toBe(2);
    expect(tools.runs).toHaveLength(1);
    tools.runs[0]!.frames();
    expect(state()).toBe('live');
  });

  it("ends a probe when stopped, without waiting for the probe's timeout: no problem recorded, no ffmpeg started", async () => {
    tools.probeResult = 'hang';
    startSupervisor();
    await advance(TICK_MS);
    expect(state()).toBe('probing');
    let stopped = false;
    void supervisor.stop().then(() => (stopped = true));
    // Not one tick of the clock passes: the stop is over as soon as its promises have run.
    await advance(0);
    expect(stopped).toBe(true);
    expect(tools.probesAborted).toBe(1);
    expect(tools.runs).toHaveLength(0);
    expect(supervisor.report()).toMatchObject({ state: 'idle' });
    expect(supervisor.report().problem).toBeUndefined();
  });

  it('ends a probe when the push is no longer wanted, and probes afresh when it is wanted again', async () => {
    tools.probeResult = 'hang';
    startSupervisor();
    await advance(TICK_MS);
    expect(state()).toBe('probing');
    wish = 'stopped';
    supervisor.poke();
    await advance(0);
    expect(tools.probesAborted).toBe(1);
    expect(state()).toBe('stopped');
    expect(supervisor.report().problem).toBeUndefined();
    tools.probeResult = h264;
    wish = 'push';
    await advance(TICK_MS);
    expect(tools.probes).toBe(2);
    expect(tools.runs).toHaveLength(1);
  });

  it("keeps no URL in the last error line: a push URL's path is often its stream key", async () => {
    tools.stderrOnStart = ['Error closing file rtmp://county/live/room-key-123: Connection timed out'];
    tools.onRun = (run) => run.exit(1);
    startSupervisor();
    await advance(0);
    expect(supervisor.report().lastError).toBe('Error closing file rtmp://…: Connection timed out');
  });

  it('cuts a long last error line: it travels in every health message', async () => {
    tools.stderrOnStart = [`[h264 @ 0x1] ${'x'.repeat(2000)}`];
    tools.onRun = (run) => run.exit(1);
    startSupervisor();
    await advance(0);
    expect(supervisor.report().lastError).toHaveLength(300);
  });

  it('a camera that cannot be reached is probed again after each backoff, and pushed when it is back', async () => {
    tools.probeResult = new FakeCameraError('unreachable', 'Connection refused');
    startSupervisor();
    await advance(20_000);
    expect(state()).toBe('backoff');
    expect(supervisor.report()).toMatchObject({ problem: 'unreachable', lastError: 'Connection refused' });
    expect(tools.probes).toBeGreaterThanOrEqual(4);
    tools.probeResult = { video: { codec: 'h264', width: 640, height: 360, fps: 25 }, audio: null };
    await advance(PUSH_BACKOFF.maxMs);
    expect(tools.runs).toHaveLength(1);
  });

  it('stops ffmpeg gracefully when the push is no longer wanted, and says why', async () => {
    startSupervisor();
    await advance(0);
    tools.runs[0]!.frames();
    wish = 'stopped';
    await advance(TICK_MS);
    expect(tools.runs[0]!.stopCalls).toBe(1);
    expect(state()).toBe('stopped');
    wish = 'idle';
    await advance(TICK_MS);
    expect(state()).toBe('idle');
    // Nothing runs while unwanted, however long.
    await advance(10 * 60_000);
    expect(tools.runs).toHaveLength(1);
    wish = 'push';
    supervisor.poke();
    await advance(0);
    expect(tools.runs).toHaveLength(2);
    // A new push probes the camera afresh.
    expect(tools.probes).toBe(2);
  });

  it('a backoff ends early when the push is no longer wanted', async () => {
    tools.onRun = (run) => run.exit(1);
    startSupervisor();
    await advance(0);
    expect(state()).toBe('backoff');
    wish = 'idle';
    supervisor.poke();
    await advance(0);
    expect(state()).toBe('idle');
    expect(supervisor.report().problem).toBeUndefined();
  });

  it('stop() ends a live push with a graceful stop', async () => {
    startSupervisor();
    await advance(0);
    tools.runs[0]!.frames();
    const stopped = supervisor.stop();
    await advance(0);
    await stopped;
    expect(tools.runs[0]!.stopCalls).toBe(1);
    expect(state()).toBe('idle');
  });
});
