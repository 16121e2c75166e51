import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedSegments } from '../../../src/cameras/recording/segments.js';
import { RecordingStorageService } from '../../../src/cameras/recording/storageService.js';
import { recordingLines } from '../../../src/cli/commands/recordingStatusText.js';
import { EventBus } from '../../../src/daemon/bus.js';
import { withLanguage } from '../../../src/i18n.js';
import { Journal } from '../../../src/journal/journal.js';
import { createSilentLogger } from '../../../src/log.js';
import { uploadCompleted } from '../../../src/sync/files/uploadRows.js';
import { buildHealthMessage } from '../../../src/sync/health/healthMessage.js';
import { healthMessageSchema } from '../../../src/sync/protocol/messages.js';
import { makeTempDir } from '../../helpers/cli.js';
import { FakeClock } from '../../helpers/fakeClock.js';
import { until as pollUntil } from '../../sync/linkFixtures.js';
import { addSegment, markUploaded, prunedEntries } from './segmentRig.js';

const MB = 1024 * 1024;

/** Polls `check` until it holds; the bound only catches a pass that never comes. */
const until = (check: () => boolean, what: string) => pollUntil(check, what, 20_000);

describe('the recordings service', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let journal: Journal;
  let bus: EventBus;
  let clock: FakeClock;
  let service: RecordingStorageService | undefined;

  beforeEach(() => {
    temp = makeTempDir();
    bus = new EventBus();
    clock = new FakeClock();
    journal = Journal.open({ dataDir: temp.dir, clock, logger: createSilentLogger(), access: 'create', bus });
  });
  afterEach(() => {
    service?.stop();
    journal.close();
    temp.cleanup();
  });

  function start(quotaBytes: number): RecordingStorageService {
    service = new RecordingStorageService({
      journal,
      dataDir: temp.dir,
      quotaBytes,
      keepFreeBytes: 0,
      uploaded: (fileId) => uploadCompleted(journal.db, fileId),
      runningActivity: () => undefined,
      clock,
      logger: createSilentLogger(),
      bus,
      // Only the start and the segment entries prune in this test, never the timer.
      intervalMs: 3_600_000,
    });
    service.start();
    return service;
  }

  it('prunes after each indexed segment, and raises the alarm of a segment deleted before its upload in health and status', async () => {
    const first = addSegment(journal, temp.dir, { activityId: 'act-a', size: 100 * MB });
    const second = addSegment(journal, temp.dir, { activityId: 'act-a', size: 100 * MB });
    markUploaded(journal, temp.dir, first);
    const healthChanges: string[] = [];
    bus.on('test', 'health.changed', ({ service: name, state }) => {
      if (name === 'recording-storage') healthChanges.push(state);
    });
    const recordings = start(250 * MB);
    await until(() => healthChanges.includes('ok'), 'the first pass');
    expect(storedSegments(journal.db)).toHaveLength(2);

    // The recorder indexes a third segment: 300 MB over a 250 MB quota, and the uploaded one goes.
    addSegment(journal, temp.dir, { activityId: 'act-b', size: 100 * MB });
    await until(() => prunedEntries(journal).length === 1, 'the prune after the segment');
    expect(prunedEntries(journal)[0]).toMatchObject({ file: first.path, uploaded: true, reason: 'quota' });
    expect(recordings.health()).toEqual({ state: 'ok' });

    // Another: nothing uploaded is left, so the oldest segment of an ended meeting goes, with the alarm.
    addSegment(journal, temp.dir, { activityId: 'act-b', size: 100 * MB });
    await until(() => prunedEntries(journal).length === 2, 'the prune of a segment not uploaded');
    expect(prunedEntries(journal)[1]).toMatchObject({ file: second.path, uploaded: false, reason: 'quota' });
    const health = recordings.health();
    expect(health.state).toBe('degraded');
    expect(health.detail).toMatch(/deleted before it was uploaded \(quota\) .*activity act-a, camera hall, segment 2/);
    expect(healthChanges.at(-1)).toBe('degraded');

    const report = recordings.report();
    expect(report).toMatchObject({ segments: 2, storedBytes: 200 * MB, notUploaded: 2, lost: { count: 1 } });
    const message = buildHealthMessage({
      deviceId: 'room-a',
      version: '0.1.0',
      clock,
      journal,
      uptimeSeconds: () => 1,
      scanner: { state: () => 'disabled', stateDetail: () => undefined, driver: () => 'none' },
      cameras: () => [],
      board: () => ({ disk: null, cpuTemperatureC: null, throttled: null }),
      county: {},
      outbox: () => ({ ackedSeq: 0, backlogEvents: 0, oldestUnsentAgeSeconds: null }),
      files: () => ({ pendingFiles: 0 }),
      recordings: () => recordings.report(),
    });
    expect(healthMessageSchema.parse(message).recordings).toEqual(report);

    expect(withLanguage('en', () => recordingLines(report))).toEqual([
      'recordings: 2 segments, 200.0 MiB (quota 250.0 MiB), 2 not yet uploaded',
      expect.stringMatching(
        /^ALARM: 1 recording segment\(s\) deleted before .*segment 2, reason: over the recording quota/,
      ),
    ]);
    expect(withLanguage('zh', () => recordingLines(report))[1]).toMatch(/^警报：.*超出录像配额/);

    // A day later the alarm is over.
    clock.advance(24 * 60 * 60 * 1000 + 1);
    expect(recordings.health()).toEqual({ state: 'ok' });
  });
});
