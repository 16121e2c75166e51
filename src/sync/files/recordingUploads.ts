import { extname, join } from 'node:path';
import { z } from 'zod';
import type { ActivityStore } from '../../activities/store.js';
import {
  recordSegmentUpload,
  segmentAt,
  selectSegments,
  type SegmentRow,
  type SegmentSelection,
} from '../../cameras/recording/segments.js';
import { ErrorCode, isAgentError } from '../../errors.js';
import type { Journal } from '../../journal/journal.js';
import type { JournalTransaction, JsonValue } from '../../journal/types.js';
import type { Logger } from '../../log.js';
import { statement } from '../../store/statements.js';
import type { EnqueueRequest, QueuedFile } from './fileQueue.js';
import { fileMessages as t } from './messages.js';
import { RECORDING_KIND, uploadState } from './uploadRows.js';

/** The file outbox as recordings need it (FileQueue). */
export interface SegmentFileQueue {
  enqueue(
    request: EnqueueRequest,
    alongside: (tx: JournalTransaction, queued: QueuedFile) => void,
  ): Promise<QueuedFile>;
}

/** A segment by its place in the recording, and the upload it went (or goes) as. */
export interface SegmentRef {
  camera: string;
  index: number;
  fileId: string;
}

/** What a request for a recording did with each selected segment. */
export interface RecordingUploadResult {
  activityId: string;
  /** Queued now, in the order they will be sent. */
  queued: Array<SegmentRef & { size: number }>;
  /** Queued or being sent already: not queued twice. */
  alreadyQueued: SegmentRef[];
  /** At the center already. */
  alreadyUploaded: SegmentRef[];
  /** Deleted on the room to make room (quota or free space): they exist nowhere else unless uploaded before. */
  pruned: Array<{ camera: string; index: number }>;
  /** Indexed, yet their file is gone or is no longer the recorded one: why, in English. */
  unavailable: Array<{ camera: string; index: number; reason: string }>;
  /** Set when the selection holds no segment at all. */
  note?: string;
}

export interface RecordingUploadsOptions {
  journal: Pick<Journal, 'db'>;
  queue: SegmentFileQueue;
  /** Segment paths are relative to it. */
  dataDir: string;
  activities: Pick<ActivityStore, 'find'>;
  logger: Logger;
}

/**
 * The metadata a recording segment's upload carries (its init's `meta`): where the segment belongs
 * in the meeting, and how far its times can be trusted. The center lists recordings by it.
 */
export const recordingMetaSchema = z.object({
  activityId: z.string(),
  camera: z.string(),
  index: z.number().int().min(1),
  /** Cut to its last whole packet after a crash: the end of that part of the meeting is missing. */
  truncated: z.boolean(),
  startedWallMs: z.number().int(),
  endedWallMs: z.number().int(),
  /** Whether the room's clock was synced when the segment started ('synced' | 'unsynced'). */
  clock: z.string(),
  durationMs: z.number().int(),
});
export type RecordingMeta = z.infer<typeof recordingMetaSchema>;

/** The file queue's refusals that mean the segment's file cannot be sent as it is (gone, unreadable, not a file). */
const UNSENDABLE: ReadonlySet<number> = new Set([
  ErrorCode.FileUnreadable,
  ErrorCode.FileNotRegular,
  ErrorCode.FileInvalid,
  ErrorCode.FileChanged,
]);

/** Thrown inside the queuing transaction to undo it: the segment is not what was selected any more. */
class SegmentChanged extends Error {
  constructor(readonly outcome: 'pruned' | 'queued' | 'differs') {
    super(outcome);
  }
}

/**
 * Queues meeting recordings for the county: the segments the center asks for, or (for activities
 * flagged `when-idle`) the next one the idle policy takes. Each segment goes once: its upload's
 * file id is recorded with it in the queuing transaction, and a segment whose upload is pending or
 * complete is never queued again; one that failed is queued anew when asked for. Requests run one
 * at a time, so two never queue the same segment.
 */
export class RecordingUploads {
  private tail: Promise<unknown> = Promise.resolve();
  /** Segments whose file could not be queued in this run: the idle policy does not try them forever. */
  private readonly idleSkipped = new Set<string>();

  constructor(private readonly options: RecordingUploadsOptions) {}

  /** The activity ran on this room (or left segments here). */
  knows(activityId: string): boolean {
    return (
      this.options.activities.find(activityId) !== undefined ||
      selectSegments(this.options.journal.db, { activityId }).length > 0
    );
  }

  /** Queues the selected segments not queued or uploaded yet, in index order (all cameras' first parts first). */
  request(selection: SegmentSelection): Promise<RecordingUploadResult> {
    return this.serially(() => this.requestNow(selection));
  }

  /**
   * Queues the oldest segment of a `when-idle` activity that was never queued; resolves with it,
   * or undefined when there is none.
   */
  queueNextIdle(): Promise<SegmentRef | undefined> {
    return this.serially(() => this.queueNextIdleNow());
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async requestNow(selection: SegmentSelection): Promise<RecordingUploadResult> {
    const { db } = this.options.journal;
    const result: RecordingUploadResult = {
      activityId: selection.activityId,
      queued: [],
      alreadyQueued: [],
      alreadyUploaded: [],
      pruned: [],
      unavailable: [],
    };
    const segments = selectSegments(db, selection).sort(
      (a, b) => a.index - b.index || a.camera.localeCompare(b.camera),
    );
    if (segments.length === 0) result.note = emptySelection(selection);
    for (const segment of segments) {
      const place = { camera: segment.camera, index: segment.index };
      if (segment.prunedSeq !== null) {
        result.pruned.push(place);
        continue;
      }
      const state = segment.fileId === null ? undefined : uploadState(db, segment.fileId);
      if (state === 'pending' || state === 'complete') {
        const ref = { ...place, fileId: segment.fileId as string };
        (state === 'pending' ? result.alreadyQueued : result.alreadyUploaded).push(ref);
        continue;
      }
      const outcome = await this.queueSegment(segment);
      if (!('problem' in outcome)) result.queued.push(outcome);
      else if (outcome.problem === 'pruned') result.pruned.push(place);
      else if (outcome.problem === 'queued') result.alreadyQueued.push({ ...place, fileId: outcome.fileId });
      else result.unavailable.push({ ...place, reason: outcome.reason });
    }
    this.options.logger.info(
      {
        activityId: selection.activityId,
        queued: result.queued.length,
        alreadyQueued: result.alreadyQueued.length,
        alreadyUploaded: result.alreadyUploaded.length,
        pruned: result.pruned.length,
        unavailable: result.unavailable.length,
      },
      'recording requested by the center',
    );
    return result;
  }

  private async queueNextIdleNow(): Promise<SegmentRef | undefined> {
    const segment = this.nextIdleSegment();
    if (segment === undefined) return undefined;
    const outcome = await this.queueSegment(segment);
    if (!('problem' in outcome)) {
      this.options.logger.info(
        { activityId: segment.activityId, camera: segment.camera, index: segment.index, fileId: outcome.fileId },
        'recording segment queued while the link is idle',
      );
      return outcome;
    }
    this.idleSkipped.add(segment.path);
    if (outcome.problem === 'unavailable')
      this.options.logger.warn(
        { activityId: segment.activityId, camera: segment.camera, index: segment.index, reason: outcome.reason },
        'recording segment cannot be uploaded',
      );
    return undefined;
  }

  private nextIdleSegment(): SegmentRow | undefined {
    const paths = statement(
      this.options.journal.db,
      `SELECT s.path FROM recording_segments s JOIN activities a ON a.id = s.activity_id
       WHERE json_extract(a.plan_json, '$.recordingUpload') = 'when-idle' AND s.pruned_seq IS NULL AND s.file_id IS NULL
       ORDER BY s.indexed_seq`,
    )
      .pluck()
      .iterate() as IterableIterator<string>;
    for (const path of paths) {
      if (this.idleSkipped.has(path)) continue;
      return segmentAt(this.options.journal.db, path);
    }
    return undefined;
  }

  /**
   * Queues one segment with its file id recorded in the same transaction. The row is read again
   * there: a segment pruned or queued meanwhile, or whose file is no longer the recorded one, is
   * not queued.
   */
  private async queueSegment(
    segment: SegmentRow,
  ): Promise<
    | (SegmentRef & { size: number })
    | { problem: 'pruned' }
    | { problem: 'queued'; fileId: string }
    | { problem: 'unavailable'; reason: string }
  > {
    const place = { camera: segment.camera, index: segment.index };
    try {
      const queued = await this.options.queue.enqueue(
        {
          path: join(this.options.dataDir, segment.path),
          name: segmentFileName(segment),
          kind: RECORDING_KIND,
          meta: segmentMeta(segment),
        },
        (tx, file) => {
          const now = segmentAt(tx.db, segment.path);
          if (now === undefined || now.prunedSeq !== null) throw new SegmentChanged('pruned');
          if (now.fileId !== segment.fileId) throw new SegmentChanged('queued');
          if (file.sha256 !== segment.sha256 || file.size !== segment.size) throw new SegmentChanged('differs');
          recordSegmentUpload(tx.db, segment.path, file.fileId);
        },
      );
      return { ...place, fileId: queued.fileId, size: queued.size };
    } catch (error) {
      if (error instanceof SegmentChanged) {
        if (error.outcome === 'pruned') return { problem: 'pruned' };
        if (error.outcome === 'queued')
          return { problem: 'queued', fileId: segmentAt(this.options.journal.db, segment.path)?.fileId ?? '' };
        return { problem: 'unavailable', reason: t('segmentDiffers') };
      }
      if (isAgentError(error) && UNSENDABLE.has(error.code)) return { problem: 'unavailable', reason: error.message };
      throw error;
    }
  }
}

/** `<activity>-<camera>-<index>.ts`: the center's copy tells what it is without its metadata. */
function segmentFileName(segment: SegmentRow): string {
  const extension = extname(segment.path) || '.ts';
  return `${segment.activityId}-${segment.camera}-${String(segment.index).padStart(5, '0')}${extension}`;
}

function segmentMeta(segment: SegmentRow): Record<string, JsonValue> {
  const meta: RecordingMeta = {
    activityId: segment.activityId,
    camera: segment.camera,
    index: segment.index,
    truncated: segment.truncated,
    startedWallMs: segment.startedWallMs,
    endedWallMs: segment.endedWallMs,
    clock: segment.clock,
    durationMs: segment.durationMs,
  };
  return { ...meta };
}

function emptySelection({ activityId, camera, fromIndex, toIndex }: SegmentSelection): string {
  return t('noSegments', {
    activityId,
    camera: camera ?? t('anyCamera'),
    fromIndex: fromIndex ?? 1,
    toIndex: toIndex ?? t('lastIndex'),
  });
}
