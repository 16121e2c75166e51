import { jsonPayload } from '../../journal/payload.js';
import type { JournalTransaction } from '../../journal/types.js';
import type { ClockState } from '../../clock/types.js';
import type { Db } from '../../store/database.js';
import { statement } from '../../store/statements.js';

/** A closed segment of a meeting recording, indexed: the county's audit finds every piece of a meeting by it. */
export const SEGMENT_EVENT = 'recording.segment';
/** A segment's file deleted to make room (quota or free space); `uploaded: false` is the alarm. */
export const SEGMENT_PRUNED_EVENT = 'recording.pruned';

/** Where recordings live under the data directory: `media/recordings/<activity>/<camera>/`. */
export const RECORDINGS_DIR = 'media/recordings';
/** How a run's list of closed segments ends, beside its segments (ffmpeg's `-segment_list`, CSV). */
export const SEGMENT_LIST_SUFFIX = '.csv';

/** A closed segment as the recorder hands it over for indexing. */
export interface ClosedSegment {
  /** Relative to the data directory. */
  path: string;
  activityId: string;
  camera: string;
  /**
   * Start and end on the agent's wall clock, and whether that clock was synced when the segment
   * was indexed (for a truncated one, at the start after the crash, not while it was recorded).
   */
  startedWallMs: number;
  endedWallMs: number;
  clock: ClockState;
  durationMs: number;
  size: number;
  sha256: string;
  /** Left open by a crash and cut to its last whole packet at the next start. */
  truncated: boolean;
}

/** An indexed segment: a row of recording_segments. */
export interface SegmentRow extends ClosedSegment {
  /** 1, 2, … within its activity's camera, in recording order. */
  index: number;
  indexedSeq: number;
  fileId: string | null;
  prunedSeq: number | null;
}

const COLUMNS = `path, activity_id AS activityId, camera, idx AS "index", started_wall_ms AS startedWallMs,
  ended_wall_ms AS endedWallMs, clock, duration_ms AS durationMs, size, sha256, truncated,
  indexed_seq AS indexedSeq, file_id AS fileId, pruned_seq AS prunedSeq`;

type StoredRow = Omit<SegmentRow, 'truncated'> & { truncated: 0 | 1 };

function fromStored(row: StoredRow): SegmentRow {
  return { ...row, truncated: row.truncated === 1 };
}

/**
 * Indexes a closed segment: its `recording.segment` entry and its row in one commit, numbered
 * after the camera's last segment of the activity. Returns the row. A path indexed already is
 * returned as it is (a restart finds a segment it indexed just before it was killed).
 */
export function indexSegment(tx: JournalTransaction, segment: ClosedSegment): SegmentRow {
  const existing = segmentAt(tx.db, segment.path);
  if (existing !== undefined) return existing;
  const { last } = statement(
    tx.db,
    'SELECT COALESCE(MAX(idx), 0) AS last FROM recording_segments WHERE activity_id = ? AND camera = ?',
  ).get(segment.activityId, segment.camera) as { last: number };
  const index = last + 1;
  const entry = tx.append(
    SEGMENT_EVENT,
    jsonPayload({
      activityId: segment.activityId,
      camera: segment.camera,
      index,
      file: segment.path,
      startedWallMs: segment.startedWallMs,
      endedWallMs: segment.endedWallMs,
      clock: segment.clock,
      durationMs: segment.durationMs,
      size: segment.size,
      sha256: segment.sha256,
      truncated: segment.truncated,
    }),
  );
  statement(
    tx.db,
    `INSERT INTO recording_segments (path, activity_id, camera, idx, started_wall_ms, ended_wall_ms, clock,
       duration_ms, size, sha256, truncated, indexed_seq)
     VALUES (@path, @activityId, @camera, @index, @startedWallMs, @endedWallMs, @clock, @durationMs, @size,
       @sha256, @truncated, @indexedSeq)`,
  ).run({ ...segment, index, truncated: segment.truncated ? 1 : 0, indexedSeq: entry.seq });
  return { ...segment, index, indexedSeq: entry.seq, fileId: null, prunedSeq: null };
}

export function segmentAt(db: Db, path: string): SegmentRow | undefined {
  const row = statement(db, `SELECT ${COLUMNS} FROM recording_segments WHERE path = ?`).get(path) as
    StoredRow | undefined;
  return row === undefined ? undefined : fromStored(row);
}

/** Which segments of an activity: one camera's or all, an index range (inclusive) or all. */
export interface SegmentSelection {
  activityId: string;
  camera?: string | undefined;
  fromIndex?: number | undefined;
  toIndex?: number | undefined;
}

/** The selected segments, by camera and index. */
export function selectSegments(db: Db, selection: SegmentSelection): SegmentRow[] {
  const rows = statement(
    db,
    `SELECT ${COLUMNS} FROM recording_segments
     WHERE activity_id = @activityId AND (@camera IS NULL OR camera = @camera)
       AND idx >= @fromIndex AND idx <= @toIndex
     ORDER BY camera, idx`,
  ).all({
    activityId: selection.activityId,
    camera: selection.camera ?? null,
    fromIndex: selection.fromIndex ?? 1,
    toIndex: selection.toIndex ?? Number.MAX_SAFE_INTEGER,
  }) as StoredRow[];
  return rows.map(fromStored);
}

/** Segments whose files are still on disk, oldest indexed first. */
export function storedSegments(db: Db): SegmentRow[] {
  const rows = statement(
    db,
    `SELECT ${COLUMNS} FROM recording_segments WHERE pruned_seq IS NULL ORDER BY indexed_seq`,
  ).all() as StoredRow[];
  return rows.map(fromStored);
}

/** Bytes of the segments still on disk. */
export function storedSegmentBytes(db: Db): number {
  const { bytes } = statement(
    db,
    'SELECT COALESCE(SUM(size), 0) AS bytes FROM recording_segments WHERE pruned_seq IS NULL',
  ).get() as { bytes: number };
  return bytes;
}

/** Records the upload a segment was queued as. */
export function recordSegmentUpload(db: Db, path: string, fileId: string): void {
  statement(db, 'UPDATE recording_segments SET file_id = ? WHERE path = ?').run(fileId, path);
}

/** What a `recording.pruned` entry (and the log line beside it) says of a deleted segment. */
export function prunedFields(segment: SegmentRow, uploaded: boolean, reason: string) {
  return {
    activityId: segment.activityId,
    camera: segment.camera,
    index: segment.index,
    file: segment.path,
    size: segment.size,
    sha256: segment.sha256,
    uploaded,
    reason,
  };
}

/**
 * Records a segment's file as deleted to make room, with its `recording.pruned` entry; `uploaded`
 * false is the alarm the county must see: that part of the meeting exists nowhere any more.
 */
export function recordSegmentPruned(
  tx: JournalTransaction,
  segment: SegmentRow,
  uploaded: boolean,
  reason: string,
): void {
  const entry = tx.append(SEGMENT_PRUNED_EVENT, jsonPayload(prunedFields(segment, uploaded, reason)));
  statement(tx.db, 'UPDATE recording_segments SET pruned_seq = ? WHERE path = ?').run(entry.seq, segment.path);
}
