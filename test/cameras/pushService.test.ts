import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cameraAdvice } from '../../src/cameras/messages.js';
import { CameraNoPushError, PushService } from '../../src/cameras/pushService.js';
import type { PushCamera } from '../../src/cameras/pushTools.js';
import type { CameraStateEntry } from '../../src/cameras/stateJournal.js';
import { EventBus } from '../../src/daemon/bus.js';
import { ErrorCode } from '../../src/errors.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { fakeTools, h265, silentLogger, type FakeRun, type FakeTools } from './fakePush.js';

function camera(name: string, mode: PushCamera['mode']): PushCamera {
  return {
    name,
    purpose: 'push',
    inputUrl: `rtsp://admin:secret@cam-${name}/sub`,
    pushUrl: `rtmp://county/live/${name}`,
    mode,
    transcode: 'off',
    stallTimeoutSeconds: 20,
    maxRestartsPerMinute: 6,
    onDemandMinutes: 30,
  };
}

let bus: EventBus;
let journal: CameraStateEntry[];
let tools: Map<string, FakeTools>;
let service: PushService;
let order: string[];
let activityRunning: boolean;

function startService(
  cameras: PushCamera[],
  prepare: (name: string, tools: FakeTools) => void = () => {},
): Promise<void> {
  service = new PushService({
    cameras,
    tools: (pushed) => {
      const fake = fakeTools(() => Date.now());
      const start = fake.launcher.start.bind(fake.launcher);
      fake.launcher.start = (spec) => {
        order.push(`start ${pushed.name}`);
        return start(spec);
      };
      prepare(pushed.name, fake);
      tools.set(pushed.name, fake);
      return fake;
    },
    endLeftovers: () => {
      order.push('leftovers');
      return Promise.resolve([]);
    },
    activityRunning: () => activityRunning,
    appendJournal: (_type, entry) => journal.push(entry),
    bus,
    logger: silentLogger,
    now: () => Date.now(),
    random: seededRandom(3),
  });
  return Promise.resolve(service.start());
}

function keepWritingFrames(run: FakeRun): void {
  const timer = setInterval(() => (run.done ? clearInterval(timer) : run.frames()), 1000);
}

const advance = (ms: number): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);
const fake = (name: string): FakeTools => tools.get(name)!;

beforeEach(() => {
  vi.useFakeTimers();
  bus = new EventBus();
  journal = [];
  tools = new Map();
  order = [];
  activityRunning = false;
});

afterEach(async () => {
  await service.stop();
  vi.useRealTimers();
});

/** The photo half of the control, for tests of the stream half. */
const noPhotoTaker = { take: () => Promise.reject(new Error('no photo in this test')) };

describe('PushService', () => {
  it('ends the leftovers of an earlier agent before it starts any ffmpeg', async () => {
    await startService([camera('hall', 'always'), camera('yard', 'always')]);
    await advance(0);
    expect(order).toEqual(['leftovers', 'start hall', 'start yard']);
  });

  it('follows activities: mode activity pushes from activity.started to activity.ended', async () => {
    await startService([camera('hall', 'activity')]);
    await advance(5000);
    expect(fake('hall').runs).toHaveLength(0);
    expect(service.cameras()[0]).toMatchObject({ name: 'hall', state: 'idle' });
    bus.emit('activity.started', { activityId: 'a1', type: 'meeting', title: 'Meeting', source: 'cli', seq: 1 });
    await advance(0);
    expect(fake('hall').runs).toHaveLength(1);
    fake('hall').runs[0]!.frames();
    expect(service.cameras()[0]!.state).toBe('live');
    bus.emit('activity.ended', { activityId: 'a1', seq: 2, reason: 'ended' });
    await advance(0);
    expect(fake('hall').runs[0]!.stopCalls).toBe(1);
    expect(service.cameras()[0]!.state).toBe('idle');
  });

  it('sums the live pushes’ bitrates for the uplink budget, and says when none is live', async () => {
    await startService([camera('hall', 'activity'), camera('yard', 'activity')]);
    await advance(0);
    expect(service.liveBitrateKbps()).toBeUndefined();
    bus.emit('activity.started', { activityId: 'a1', type: 'meeting', title: 'Meeting', source: 'cli', seq: 1 });
    await advance(0);
    fake('hall').runs[0]!.frames();
    // yard runs but has not written a frame: not live, not counted.
    expect(service.liveBitrateKbps()).toBe(512);
    fake('yard').runs[0]!.frames();
    expect(service.liveBitrateKbps()).toBe(1024);
    bus.emit('activity.ended', { activityId: 'a1', seq: 2, reason: 'ended' });
    await advance(0);
    expect(service.liveBitrateKbps()).toBeUndefined();
  });

  it('pushes at once when the agent starts during an activity', async () => {
    activityRunning = true;
    await startService([camera('hall', 'activity')]);
    await advance(0);
    expect(fake('hall').runs).toHaveLength(1);
  });

  it('camera.stream start and stop: the reply says the state reached', async () => {
    await startService([camera('hall', 'on-demand')], (_name, fakeTools) => {
      fakeTools.onRun = (run) => setTimeout(() => run.frames(), 1500);
    });
    const control = service.control(noPhotoTaker);
    const started = control.stream('hall', true);
    await advance(2000);
    await expect(started).resolves.toEqual({ camera: 'hall', state: 'live' });
    const stopped = control.stream('hall', false);
    await advance(0);
    await expect(stopped).resolves.toEqual({ camera: 'hall', state: 'stopped' });
    expect(fake('hall').runs[0]!.stopCalls).toBe(1);
    // A center stop holds, whatever else happens, until a start.
    await advance(60_000);
    expect(fake('hall').runs).toHaveLength(1);
  });

  it('camera.stream on a camera that cannot be pushed replies with the problem', async () => {
    await startService([camera('hall', 'on-demand')], (_name, fakeTools) => {
      fakeTools.probeResult = h265;
    });
    const reply = service.control(noPhotoTaker).stream('hall', true);
    await advance(0);
    await expect(reply).resolves.toEqual({ camera: 'hall', state: 'failed', problem: 'h265-over-rtmp' });
    // The camera set to H.264, the center asks again: probed at once, not at the next rare re-probe.
    fake('hall').probeResult = { video: { codec: 'h264', width: 640, height: 360, fps: 25 }, audio: null };
    fake('hall').onRun = (run) => setTimeout(() => run.frames(), 1500);
    const again = service.control(noPhotoTaker).stream('hall', true);
    await advance(2000);
    await expect(again).resolves.toEqual({ camera: 'hall', state: 'live' });
    expect(fake('hall').probes).toBe(2);
  });

  it('camera.stream on a camera without a push is a typed refusal; camera.photo goes to the photo taker', async () => {
    await startService([camera('hall', 'always')]);
    const take = vi.fn(() => Promise.resolve({ fileId: 'f1', sha256: 'a'.repeat(64), bytes: 1 }));
    const control = service.control({ take });
    await expect(control.stream('porch', true)).rejects.toSatisfy(
      (error) => error instanceof CameraNoPushError && error.code === ErrorCode.CameraNoPush,
    );
    await expect(control.photo('porch')).resolves.toMatchObject({ fileId: 'f1' });
    expect(take).toHaveBeenCalledWith('porch');
  });

  it('reports a failed camera to health with English advice, degraded, and on the bus', async () => {
    const changes: string[] = [];
    bus.on('test', 'camera.state', ({ camera: name, state }) => changes.push(`${name} ${state}`));
    const health: string[] = [];
    bus.on('test', 'health.changed', ({ service: name, state }) => health.push(`${name} ${state}`));
    await startService([camera('hall', 'always')], (_name, fakeTools) => {
      fakeTools.probeResult = h265;
    });
    await advance(0);
    expect(service.cameras()).toEqual([
      expect.objectContaining({
        name: 'hall',
        state: 'failed',
        problem: 'h265-over-rtmp',
        detail: cameraAdvice('h265-over-rtmp', 'en'),
      }),
    ]);
    expect(service.health()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('hall') as string });
    expect(changes).toEqual(['hall probing', 'hall failed']);
    expect(health.at(-1)).toBe('cameras degraded');
    expect(journal.at(-1)).toEqual({
      camera: 'hall',
      state: 'failed',
      problem: 'h265-over-rtmp',
      detail: cameraAdvice('h265-over-rtmp', 'en'),
    });
    expect(JSON.stringify(journal)).not.toContain('rtsp://');
  });

  it('journals a flapping camera at a few entries a minute, state changes only, and ends on its latest state', async () => {
    await startService([camera('hall', 'always'), camera('yard', 'always')], (name, fakeTools) => {
      // hall crashes at every start; yard is live and stays live.
      fakeTools.onRun = name === 'hall' ? (run) => run.exit(1) : keepWritingFrames;
    });
    await advance(10 * 60_000);
    const hall = journal.filter((entry) => entry.camera === 'hall');
    const hallStarts = fake('hall').startTimes.length;
    expect(hallStarts).toBeGreaterThanOrEqual(50);
    // Four at once, then one a minute: never a flood, however often the camera flaps.
    expect(hall.length).toBeLessThanOrEqual(4 + 10);
    expect(hall.length).toBeGreaterThanOrEqual(4 + 8);
    hall.slice(1).forEach((entry, index) => {
      expect(`${entry.state} ${entry.problem}`).not.toBe(`${hall[index]!.state} ${hall[index]!.problem}`);
    });
    // The live camera beside it wrote its start and nothing more.
    expect(journal.filter((entry) => entry.camera === 'yard').map((entry) => entry.state)).toEqual([
      'probing',
      'starting',
      'live',
    ]);
    await service.stop();
    const latest = service.cameras();
    expect(latest).toEqual([]);
    const last = journal.filter((entry) => entry.camera === 'hall').at(-1)!;
    expect(last.state).toBe('idle');
  });
});
