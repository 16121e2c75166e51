import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SegmentPruner, type PrunerOptions } from '../../../src/cameras/recording/pruner.js';
import {
  indexSegment,
  RECORDINGS_DIR,
  recordSegmentUpload,
  SEGMENT_PRUNED_EVENT,
  type SegmentRow,
} from '../../../src/cameras/recording/segments.js';
import type { Journal } from '../../../src/journal/journal.js';
import { finishUpload, insertUpload, uploadCompleted } from '../../../src/sync/files/uploadRows.js';
import { FakeClock } from '../../helpers/fakeClock.js';
import { captureLogger } from '../../sync/linkFixtures.js';
import { logLines } from '../../daemon/daemonProcess.js';

export interface SegmentSpec {
  activityId: string;
  camera?: string;
  /** Bytes written to the file; the row says `size` (default: the same), which is what pruning counts. */
  bytes?: number;
  size?: number;
}

/** Writes a segment file under the recordings folder and indexes it as the recorder would. */
export function addSegment(journal: Journal, dataDir: string, spec: SegmentSpec): SegmentRow {
  const camera = spec.camera ?? 'hall';
  const content = Buffer.alloc(spec.bytes ?? 1, 0x47);
  const next = journal.db
    .prepare('SELECT COUNT(*) AS n FROM recording_segments WHERE activity_id = ? AND camera = ?')
    .get(spec.activityId, camera) as { n: number };
  const path = join(RECORDINGS_DIR, spec.activityId, camera, `${String(next.n + 1).padStart(6, '0')}.ts`);
  mkdirSync(dirname(join(dataDir, path)), { recursive: true });
  writeFileSync(join(dataDir, path), content);
  return journal.transaction((tx) =>
    indexSegment(tx, {
      path,
      activityId: spec.activityId,
      camera,
      startedWallMs: 1_700_000_000_000,
      endedWallMs: 1_700_000_060_000,
      clock: 'synced',
      durationMs: 60_000,
      size: spec.size ?? content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      truncated: false,
    }),
  );
}

/** Queues the segment's upload and completes it (or leaves it pending), as the uploader would. */
export function markUploaded(journal: Journal, dataDir: string, segment: SegmentRow, complete = true): void {
  const fileId = `file-${segment.activityId}-${segment.camera}-${segment.index}`;
  const seq = journal.head().seq;
  insertUpload(journal.db, {
    fileId,
    path: join(dataDir, segment.path),
    name: segment.path,
    kind: 'recording',
    size: segment.size,
    sha256: segment.sha256,
    meta: {},
    queuedSeq: seq,
  });
  if (complete)
    finishUpload(journal.db, fileId, { state: 'complete', error: null, ackedOffset: segment.size, doneSeq: seq });
  recordSegmentUpload(journal.db, segment.path, fileId);
}

/** The payloads of the journal's `recording.pruned` entries, in order. */
export function prunedEntries(journal: Journal): Array<Record<string, unknown>> {
  return journal
    .read(0, 100_000)
    .filter((entry) => entry.type === SEGMENT_PRUNED_EVENT)
    .map((entry) => entry.payload as Record<string, unknown>);
}

/** A pruner over `journal` with the daemon's upload check, a quota and a free-space reading the test sets. */
export function makePruner(journal: Journal, dataDir: string, options: Partial<PrunerOptions> = {}) {
  const { logger, text } = captureLogger();
  const state = { running: undefined as string | undefined, free: Number.MAX_SAFE_INTEGER };
  const pruner = new SegmentPruner({
    journal,
    dataDir,
    quotaBytes: 0,
    keepFreeBytes: 0,
    uploaded: (fileId) => uploadCompleted(journal.db, fileId),
    runningActivity: () => state.running,
    clock: new FakeClock(),
    logger,
    freeBytes: () => state.free,
    ...options,
  });
  return { pruner, state, logs: () => logLines(text()) };
}
