import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivityStore } from '../../src/activities/store.js';
import { recordSegmentPruned, segmentAt, type SegmentRow } from '../../src/cameras/recording/segments.js';
import { setLanguage } from '../../src/i18n.js';
import type { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import type { CommandContext } from '../../src/sync/commands/definition.js';
import type { CommandDependencies } from '../../src/sync/commands/dependencies.js';
import { recordingUpload } from '../../src/sync/commands/handlers/recordings.js';
import { CommandRefusal } from '../../src/sync/commands/refusal.js';
import { FileQueue } from '../../src/sync/files/fileQueue.js';
import { IdleRecordingUploads } from '../../src/sync/files/idleRecordings.js';
import { RecordingUploads, type RecordingUploadResult } from '../../src/sync/files/recordingUploads.js';
import { finishUpload, recentUploads } from '../../src/sync/files/uploadRows.js';
import { makeTempDir } from '../helpers/cli.js';
import { objectContaining, ofType, stringContaining } from '../helpers/matchers.js';
import { writeIndexedSegment } from '../helpers/recordingSegments.js';
import { openJournal } from '../journal/helpers.js';

setLanguage('en');

let temp: ReturnType<typeof makeTempDir>;
let dataDir: string;
let journal: Journal;
let activities: ActivityStore;
let uploads: RecordingUploads;

beforeEach(() => {
  temp = makeTempDir('room-agent-recording-uploads-');
  dataDir = join(temp.dir, 'data');
  journal = openJournal(dataDir);
  activities = new ActivityStore(journal);
  uploads = new RecordingUploads({
    journal,
    queue: new FileQueue(journal),
    dataDir,
    activities,
    logger: createSilentLogger(),
  });
});

afterEach(() => {
  journal.close();
  temp.cleanup();
});

/** An activity started and ended, with `count` segments per camera, indexed in recording order. */
function recordedMeeting(
  cameras: readonly string[],
  count: number,
  recordingUpload: 'on-request' | 'when-idle' = 'on-request',
): { activityId: string; segments: SegmentRow[] } {
  const { id } = activities.start(
    { type: 'branch-meeting', title: 'Branch meeting', photos: 0, recording: true, recordingUpload },
    'cli',
  );
  const segments: SegmentRow[] = [];
  for (let index = 1; index <= count; index++)
    for (const camera of cameras)
      segments.push(
        writeIndexedSegment(journal, dataDir, { activityId: id, camera, bytes: randomBytes(1000 + index) }),
      );
  activities.end({ reason: 'done' });
  return { activityId: id, segments };
}

function prune(segment: SegmentRow): void {
  journal.transaction((tx) => recordSegmentPruned(tx, segment, false, 'quota'));
  rmSync(join(dataDir, segment.path));
}

/** The command as the processor runs it: params parsed, the check, then run with the room's services. */
async function command(params: unknown): Promise<RecordingUploadResult> {
  const deps = { recordings: uploads } as unknown as CommandDependencies;
  const parsed = recordingUpload.params.parse(params);
  recordingUpload.check?.(parsed, deps);
  const context = { deps, link: {}, afterReply: () => {} } as unknown as CommandContext;
  return (await recordingUpload.run(parsed, context)) as RecordingUploadResult;
}

function refusalOf(run: () => unknown): CommandRefusal {
  try {
    run();
  } catch (error) {
    if (error instanceof CommandRefusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('recording.upload', () => {
  it('queues the selected range of one camera in index order, kind recording, with the segment’s place in its meta and its file id recorded', async () => {
    const { activityId, segments } = recordedMeeting(['hall', 'door'], 4);
    const result = await command({ activityId, camera: 'hall', fromIndex: 2, toIndex: 3 });

    expect(result).toEqual({
      activityId,
      queued: [
        { camera: 'hall', index: 2, fileId: ofType(String), size: 1002 },
        { camera: 'hall', index: 3, fileId: ofType(String), size: 1003 },
      ],
      alreadyQueued: [],
      alreadyUploaded: [],
      pruned: [],
      unavailable: [],
    });
    const rows = recentUploads(journal.db, 10).reverse();
    expect(rows.map(({ fileId }) => fileId)).toEqual(result.queued.map(({ fileId }) => fileId));
    const hall2 = segments.find(({ camera, index }) => camera === 'hall' && index === 2)!;
    expect(rows[0]).toMatchObject({
      kind: 'recording',
      path: join(dataDir, hall2.path),
      name: `${activityId}-hall-00002.ts`,
      sha256: hall2.sha256,
      state: 'pending',
      meta: {
        activityId,
        camera: 'hall',
        index: 2,
        truncated: false,
        startedWallMs: hall2.startedWallMs,
        endedWallMs: hall2.endedWallMs,
        clock: 'synced',
        durationMs: hall2.durationMs,
      },
    });
    expect(segmentAt(journal.db, hall2.path)?.fileId).toBe(result.queued[0]!.fileId);
    // The other camera and the indexes outside the range are untouched.
    expect(segments.filter(({ path }) => segmentAt(journal.db, path)?.fileId !== null)).toHaveLength(2);
  });

  it('all cameras: the first parts of the meeting first, each index’s cameras together', async () => {
    const { activityId } = recordedMeeting(['hall', 'door'], 2);
    const result = await command({ activityId });
    expect(result.queued.map(({ camera, index }) => `${camera}#${index}`)).toEqual([
      'door#1',
      'hall#1',
      'door#2',
      'hall#2',
    ]);
  });

  it('a segment queued, uploaded or failed before: queued stays queued, uploaded is not sent again, a failed one is queued anew', async () => {
    const { activityId } = recordedMeeting(['hall'], 4);
    const first = await command({ activityId, toIndex: 3 });
    const [one, two, three] = first.queued;
    journal.transaction((tx) => {
      finishUpload(tx.db, one!.fileId, {
        state: 'complete',
        error: null,
        ackedOffset: one!.size,
        doneSeq: tx.append('file.uploaded', {}).seq,
      });
      finishUpload(tx.db, three!.fileId, {
        state: 'failed',
        error: 'gone',
        ackedOffset: 0,
        doneSeq: tx.append('file.failed', {}).seq,
      });
    });

    const again = await command({ activityId });
    expect(again.alreadyUploaded).toEqual([{ camera: 'hall', index: 1, fileId: one!.fileId }]);
    expect(again.alreadyQueued).toEqual([{ camera: 'hall', index: 2, fileId: two!.fileId }]);
    expect(again.queued.map(({ index }) => index)).toEqual([3, 4]);
    expect(again.queued[0]!.fileId).not.toBe(three!.fileId);

    // A third request queues nothing: every segment is queued or uploaded.
    const third = await command({ activityId });
    expect(third.queued).toEqual([]);
    expect(third.alreadyQueued.map(({ index }) => index)).toEqual([2, 3, 4]);
    expect(recentUploads(journal.db, 100)).toHaveLength(5);
  });

  it('two requests at once queue each segment once', async () => {
    const { activityId } = recordedMeeting(['hall'], 5);
    const [a, b] = await Promise.all([command({ activityId }), command({ activityId, fromIndex: 2 })]);
    expect(a.queued.map(({ index }) => index)).toEqual([1, 2, 3, 4, 5]);
    expect(b.queued).toEqual([]);
    expect(b.alreadyQueued.map(({ index }) => index)).toEqual([2, 3, 4, 5]);
    expect(recentUploads(journal.db, 100)).toHaveLength(5);
  });

  it('a partly pruned range: the rest is queued, the pruned ones are named, and a file gone or changed without a prune is named with why', async () => {
    const { activityId, segments } = recordedMeeting(['hall'], 5);
    prune(segments[0]!);
    prune(segments[1]!);
    rmSync(join(dataDir, segments[3]!.path));
    writeFileSync(join(dataDir, segments[4]!.path), 'not the recorded bytes');

    const result = await command({ activityId });
    expect(result.queued.map(({ index }) => index)).toEqual([3]);
    expect(result.pruned).toEqual([
      { camera: 'hall', index: 1 },
      { camera: 'hall', index: 2 },
    ]);
    expect(result.unavailable).toEqual([
      { camera: 'hall', index: 4, reason: stringContaining('cannot read') },
      {
        camera: 'hall',
        index: 5,
        reason: 'the file on disk is not the recorded segment: its size or SHA-256 differs from the index',
      },
    ]);
    // Nothing is left queued for a segment that could not be sent.
    expect(recentUploads(journal.db, 100)).toHaveLength(1);
    expect(segmentAt(journal.db, segments[4]!.path)?.fileId).toBeNull();
  });

  it('a range with nothing in it is a done reply that says so; an unknown activity is refused as invalid-params', async () => {
    const { activityId } = recordedMeeting(['hall'], 2);
    const empty = await command({ activityId, camera: 'door', fromIndex: 3 });
    expect(empty).toEqual({
      activityId,
      queued: [],
      alreadyQueued: [],
      alreadyUploaded: [],
      pruned: [],
      unavailable: [],
      note: `activity ${activityId} has no recorded segment (camera: door, index 3…last)`,
    });

    const { id: unrecorded } = activities.start({ type: 'study', title: 'Study', photos: 0, recording: false }, 'cli');
    expect((await command({ activityId: unrecorded })).note).toBe(
      `activity ${unrecorded} has no recorded segment (camera: any, index 1…last)`,
    );

    const refusal = refusalOf(() =>
      recordingUpload.check?.({ activityId: 'no-such-meeting' }, {
        recordings: uploads,
      } as unknown as CommandDependencies),
    );
    expect(refusal.replyCode).toBe('invalid-params');
    expect(refusal.message).toBe('this room has no activity no-such-meeting');
    expect(refusal.context.paths).toEqual(['activityId']);
  });

  it('params: a range upside down, a zero index or an unknown key is refused by the schema', () => {
    for (const params of [
      { activityId: 'a', fromIndex: 3, toIndex: 2 },
      { activityId: 'a', fromIndex: 0 },
      { activityId: 'a', from: 1 },
      {},
    ])
      expect(recordingUpload.params.safeParse(params).success, JSON.stringify(params)).toBe(false);
    const upsideDown = recordingUpload.params.safeParse({ activityId: 'a', fromIndex: 3, toIndex: 2 });
    expect(upsideDown.error?.issues).toEqual([
      objectContaining({ path: ['toIndex'], message: 'must not be below fromIndex' }),
    ]);
  });
});

describe('the idle policy', () => {
  function idlePolicy(idle: () => boolean): IdleRecordingUploads {
    return new IdleRecordingUploads({ uploads, idle, logger: createSilentLogger(), checkIntervalMs: 60_000 });
  }

  const queuedIndexes = (): string[] =>
    recentUploads(journal.db, 100)
      .reverse()
      .map(({ meta }) => `${meta.camera as string}#${meta.index as number}`);

  it('queues one segment of a when-idle activity per idle look, oldest first; none while the link is busy', async () => {
    const { segments } = recordedMeeting(['hall'], 3, 'when-idle');
    let idle = false;
    const policy = idlePolicy(() => idle);

    await policy.check();
    expect(queuedIndexes()).toEqual([]);

    idle = true;
    await policy.check();
    expect(queuedIndexes()).toEqual(['hall#1']);
    expect(segmentAt(journal.db, segments[0]!.path)?.fileId).toEqual(ofType(String));

    // The link busy again (a sign-in backlog, a push, the segment itself pending): nothing more.
    idle = false;
    await policy.check();
    expect(queuedIndexes()).toEqual(['hall#1']);

    idle = true;
    await policy.check();
    await policy.check();
    await policy.check();
    expect(queuedIndexes()).toEqual(['hall#1', 'hall#2', 'hall#3']);
  });

  it('leaves on-request activities, pruned segments and segments already requested alone, and skips a file it cannot queue', async () => {
    recordedMeeting(['hall'], 2, 'on-request');
    const flagged = recordedMeeting(['hall'], 4, 'when-idle');
    prune(flagged.segments[0]!);
    rmSync(join(dataDir, flagged.segments[1]!.path));
    await command({ activityId: flagged.activityId, fromIndex: 3, toIndex: 3 });
    const policy = idlePolicy(() => true);

    // The first look finds index 2 unreadable and skips it from then on, the second queues index 4,
    // the third finds nothing left.
    await policy.check();
    await policy.check();
    await policy.check();
    expect(queuedIndexes()).toEqual(['hall#3', 'hall#4']);
    expect(recentUploads(journal.db, 100).every(({ meta }) => meta.activityId === flagged.activityId)).toBe(true);
  });

  it('a look never overlaps the one before, and a failing idle condition is logged, not thrown', async () => {
    recordedMeeting(['hall'], 2, 'when-idle');
    const looks = idlePolicy(() => true);
    await Promise.all([looks.check(), looks.check()]);
    expect(queuedIndexes()).toEqual(['hall#1']);

    const broken = idlePolicy(() => {
      throw new Error('link state unreadable');
    });
    await expect(broken.check()).resolves.toBeUndefined();
  });

  it('runs on its timer from start() until stop()', async () => {
    recordedMeeting(['hall'], 2, 'when-idle');
    const policy = new IdleRecordingUploads({
      uploads,
      idle: () => true,
      logger: createSilentLogger(),
      checkIntervalMs: 20,
    });
    policy.start();
    try {
      const deadline = Date.now() + 10_000;
      while (queuedIndexes().length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(queuedIndexes()).toEqual(['hall#1', 'hall#2']);
    } finally {
      policy.stop();
    }
  });
});
