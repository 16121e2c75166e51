import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { indexSegment, RECORDINGS_DIR, type SegmentRow } from '../../src/cameras/recording/segments.js';
import type { Journal } from '../../src/journal/journal.js';

/**
 * Writes `bytes` as the next closed segment of an activity's camera under the data directory
 * (where the recorder puts them) and indexes it with its `recording.segment` entry, as the
 * recorder hands a segment over. Returns the indexed row.
 */
export function writeIndexedSegment(
  journal: Pick<Journal, 'transaction'>,
  dataDir: string,
  segment: { activityId: string; camera: string; bytes: Buffer; startedWallMs?: number; durationMs?: number },
): SegmentRow {
  return journal.transaction((tx) => {
    const { last } = tx.db
      .prepare('SELECT COUNT(*) AS last FROM recording_segments WHERE activity_id = ? AND camera = ?')
      .get(segment.activityId, segment.camera) as { last: number };
    const path = join(RECORDINGS_DIR, segment.activityId, segment.camera, `${String(last + 1).padStart(5, '0')}.ts`);
    mkdirSync(dirname(join(dataDir, path)), { recursive: true });
    writeFileSync(join(dataDir, path), segment.bytes);
    const durationMs = segment.durationMs ?? 2_000;
    const startedWallMs = segment.startedWallMs ?? 1_700_000_000_000 + last * durationMs;
    return indexSegment(tx, {
      path,
      activityId: segment.activityId,
      camera: segment.camera,
      startedWallMs,
      endedWallMs: startedWallMs + durationMs,
      clock: 'synced',
      durationMs,
      size: segment.bytes.length,
      sha256: createHash('sha256').update(segment.bytes).digest('hex'),
      truncated: false,
    });
  });
}
