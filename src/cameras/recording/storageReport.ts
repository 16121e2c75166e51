import type { Db } from '../../store/database.js';
import { statement } from '../../store/statements.js';
import type { UnjournaledPrune } from './pruner.js';
import { storedSegments } from './segments.js';

/** How long a segment deleted before its upload stays an alarm: a day is seen by the next technician's check or the county's next look at the room. */
export const LOSS_ALARM_MS = 24 * 60 * 60 * 1000;
/** The latest prunes looked at for the alarm: more than a day of segments of every camera. */
const LOSS_LOOKBACK = 10_000;

/** Segments deleted before they were uploaded within the last LOSS_ALARM_MS, and the latest of them. */
export interface LostSegments {
  count: number;
  /** Wall time of the latest deletion, ms. */
  at: number;
  activityId: string;
  camera: string;
  index: number;
  /** `quota`, `free-space` or `missing` (cameras/recording/pruner.ts PruneReason). */
  reason: string;
  /** False while its `recording.pruned` entry waits for a journal that refuses writes. */
  journaled: boolean;
}

/** The meeting recordings kept on the data directory (status and health). */
export interface RecordingStorageReport {
  storedBytes: number;
  segments: number;
  /** Stored segments whose upload has not completed. */
  notUploaded: number;
  /** media.recordingQuotaBytes; 0 = none. */
  quotaBytes: number;
  lost: LostSegments | null;
}

export interface RecordingReportSources {
  /** Whether the upload of `fileId` completed. */
  uploaded: (fileId: string) => boolean;
  /** Deletions whose entries wait for the journal (SegmentPruner.waitingEntries). */
  waiting: readonly UnjournaledPrune[];
  nowWallMs: number;
  quotaBytes: number;
}

type JournaledLoss = Omit<LostSegments, 'count' | 'journaled'>;

function journaledLosses(db: Db, sinceWallMs: number): JournaledLoss[] {
  return statement(
    db,
    `SELECT e.wall_ms AS at, json_extract(e.payload, '$.activityId') AS activityId,
       json_extract(e.payload, '$.camera') AS camera, json_extract(e.payload, '$.index') AS "index",
       json_extract(e.payload, '$.reason') AS reason
     FROM (SELECT pruned_seq FROM recording_segments WHERE pruned_seq IS NOT NULL ORDER BY pruned_seq DESC LIMIT ?) r
     JOIN events e ON e.seq = r.pruned_seq
     WHERE e.wall_ms >= ? AND json_extract(e.payload, '$.uploaded') = 0
     ORDER BY e.seq DESC`,
  ).all(LOSS_LOOKBACK, sinceWallMs) as JournaledLoss[];
}

/** Reads the recordings' state from the journal's index, plus the deletions still waiting for their entries. */
export function recordingStorageReport(db: Db, sources: RecordingReportSources): RecordingStorageReport {
  const waitingPaths = new Set(sources.waiting.map(({ segment }) => segment.path));
  const stored = storedSegments(db).filter((segment) => !waitingPaths.has(segment.path));
  const since = sources.nowWallMs - LOSS_ALARM_MS;
  const journaled = journaledLosses(db, since);
  const waiting = sources.waiting
    .filter(({ uploaded, atMs }) => !uploaded && atMs >= since)
    .map(({ segment, reason, atMs }) => ({ ...segment, reason, at: atMs }));
  const latestWaiting = waiting.at(-1);
  const latestJournaled = journaled[0];
  let lost: LostSegments | null = null;
  const count = journaled.length + waiting.length;
  if (latestWaiting !== undefined && (latestJournaled === undefined || latestWaiting.at >= latestJournaled.at)) {
    const { at, activityId, camera, index, reason } = latestWaiting;
    lost = { count, at, activityId, camera, index, reason, journaled: false };
  } else if (latestJournaled !== undefined) lost = { count, ...latestJournaled, journaled: true };
  return {
    storedBytes: stored.reduce((sum, segment) => sum + segment.size, 0),
    segments: stored.length,
    notUploaded: stored.filter((segment) => segment.fileId === null || !sources.uploaded(segment.fileId)).length,
    quotaBytes: sources.quotaBytes,
    lost,
  };
}
