import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingService } from '../../../src/cameras/recording/recordingService.js';
import { segmentFolder } from '../../../src/cameras/recording/segmentFolder.js';
import { selectSegments } from '../../../src/cameras/recording/segments.js';
import type { SegmentTools } from '../../../src/cameras/recording/segmentTools.js';
import { EventBus } from '../../../src/daemon/bus.js';
import { Journal } from '../../../src/journal/journal.js';
import { createSilentLogger } from '../../../src/log.js';
import { makeTempDir } from '../../helpers/cli.js';
import { FakeClock } from '../../helpers/fakeClock.js';
import { until as pollUntil } from '../../sync/linkFixtures.js';
import { fakeTools, type FakeRun } from '../fakePush.js';

/** Polls `check` until it holds; the bound only catches a state that never comes. */
const until = (check: () => boolean, what: string) => pollUntil(check, what, 20_000);

/** A check the test holds until it lets it answer. */
class Gate {
  waiting = 0;
  private opened = false;
  private release: Array<() => void> = [];
  wait(): Promise<void> {
    this.waiting++;
    return this.opened ? Promise.resolve() : new Promise((resolve) => this.release.push(resolve));
  }
  open(): void {
    this.opened = true;
    for (const release of this.release.splice(0)) release();
  }
}

function valueOf(args: string[], flag: string): string {
  return args[args.indexOf(flag) + 1]!;
}

/**
 * The recorder as a service, with fake ffmpeg runs (each writes its first segment, and lists it,
 * when stopped, as ffmpeg closes its segment on a graceful stop) and fake segment checks the test
 * holds, over a real journal.
 */
describe('the recording service', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let journal: Journal;
  let bus: EventBus;
  let service: RecordingService | undefined;
  let activity: { id: string; recording: boolean } | undefined;
  let gate: Gate | undefined;
  let runs: FakeRun[];

  beforeEach(() => {
    temp = makeTempDir('room-agent-recorder-');
    bus = new EventBus();
    journal = Journal.open({
      dataDir: temp.dir,
      clock: new FakeClock(),
      logger: createSilentLogger(),
      access: 'create',
      bus,
    });
    activity = undefined;
    gate = undefined;
    runs = [];
  });
  afterEach(async () => {
    gate?.open();
    await service?.stop();
    service = undefined;
    journal.close();
    temp.cleanup();
  });

  function create(): RecordingService {
    const tools = fakeTools(() => performance.now());
    tools.onRun = (run) => {
      runs.push(run);
      const stop = run.stop.bind(run);
      run.stop = () => {
        const pattern = run.spec.args.at(-1)!;
        const file = pattern.replace('%05d', '00000');
        writeFileSync(file, Buffer.alloc(188 * 4, 0x47));
        writeFileSync(valueOf(run.spec.args, '-segment_list'), `${file.split('/').at(-1)},0.000000,2.000000\n`);
        return stop();
      };
    };
    const segmentTools: SegmentTools = {
      clean: async () => {
        await gate?.wait();
        return true;
      },
      durationMs: () => Promise.resolve(1_000),
    };
    service = new RecordingService({
      cameras: [
        { name: 'hall', purpose: 'record', inputUrl: 'rtsp://cam/1', stallTimeoutSeconds: 10, maxRestartsPerMinute: 6 },
      ],
      dataDir: temp.dir,
      segmentSeconds: 2,
      launcher: tools.launcher,
      probe: tools.probe,
      segmentTools,
      endLeftovers: () => Promise.resolve(),
      activities: { current: () => activity },
      journal,
      clock: new FakeClock(),
      room: { refusal: () => undefined },
      bus,
      logger: createSilentLogger(),
    });
    return service;
  }

  const indexedNames = (activityId: string): string[] =>
    selectSegments(journal.db, { activityId, camera: 'hall' }).map((row) => row.path.split('/').at(-1)!);

  it('indexes the last segment of a recording that ends while a sweep is under way', async () => {
    await create().start();
    activity = { id: 'act-1', recording: true };
    bus.emit('activity.started', { activityId: 'act-1', type: 'meeting', title: 'm', source: 'cli', seq: 1 });
    await until(() => runs.length === 1, 'the recording to start');
    // A file no list names, of a run before this one: the sweep checks it, and the test holds the check.
    const folder = segmentFolder(temp.dir, 'act-1', 'hall');
    mkdirSync(folder.dir, { recursive: true });
    writeFileSync(join(folder.dir, 'r0000-00000.ts'), Buffer.alloc(188 * 4, 0x47));
    gate = new Gate();
    await until(() => gate!.waiting > 0, 'a sweep to check the left file');
    activity = undefined;
    bus.emit('activity.ended', { activityId: 'act-1', seq: 2, reason: 'ended' });
    await until(() => runs[0]!.done, 'the recording to stop');
    gate.open();
    await until(() => indexedNames('act-1').includes('r0001-00000.ts'), 'the last segment to be indexed');
    expect(indexedNames('act-1')).toEqual(['r0000-00000.ts', 'r0001-00000.ts']);
  });

  it('keeps a folder it cannot read from failing the activity start, says so, and starts recording once it can', async () => {
    await create().start();
    const folder = segmentFolder(temp.dir, 'act-2', 'hall');
    // Where the camera's folder should be there is a file: listing it fails as an unreadable card does.
    mkdirSync(join(folder.dir, '..'), { recursive: true });
    writeFileSync(folder.dir, 'not a folder');
    const heard: string[] = [];
    bus.on('test', 'activity.started', ({ activityId }) => heard.push(activityId));
    activity = { id: 'act-2', recording: true };
    bus.emit('activity.started', { activityId: 'act-2', type: 'meeting', title: 'm', source: 'cli', seq: 1 });
    expect(heard, 'the listeners after the recorder still hear the start').toEqual(['act-2']);
    const health = service!.health();
    expect(health.state).toBe('degraded');
    expect(health.detail).toContain('hall: recording could not start: ENOTDIR');
    expect(runs).toEqual([]);
    rmSync(folder.dir);
    await until(() => runs.length === 1, 'the recording to start once the folder can be made');
    await until(() => service!.health().state === 'ok', 'the problem to clear');
  });

  it('starts without waiting for the recovery of what a crash left, and records the running meeting meanwhile', async () => {
    const folder = segmentFolder(temp.dir, 'act-3', 'hall');
    mkdirSync(folder.dir, { recursive: true });
    writeFileSync(join(folder.dir, 'r0001-00000.ts'), Buffer.alloc(188 * 4, 0x47));
    activity = { id: 'act-3', recording: true };
    gate = new Gate();
    const started = create().start();
    const waited = await Promise.race([
      started.then(() => 'started'),
      new Promise((resolve) => setTimeout(() => resolve('still starting'), 10_000)),
    ]);
    expect(waited, 'the start waits on no decode').toBe('started');
    await until(() => runs.length === 1, 'the meeting to be recorded again');
    expect(runs[0]!.spec.args.at(-1)).toContain('r0002-%05d.ts');
    await until(() => gate!.waiting === 1, 'the left file to be checked');
    expect(indexedNames('act-3')).toEqual([]);
    gate.open();
    await until(() => indexedNames('act-3').length === 1, 'the left file to be indexed');
    expect(selectSegments(journal.db, { activityId: 'act-3', camera: 'hall' })[0]).toMatchObject({
      path: 'media/recordings/act-3/hall/r0001-00000.ts',
      truncated: true,
    });
  });
});
