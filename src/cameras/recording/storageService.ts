import { HealthChanges } from '../../daemon/healthChanges.js';
import type { Service, ServiceHealth } from '../../daemon/service.js';
import { wallTimeText } from '../../util/wallTime.js';
import { SegmentPruner, type PrunerOptions, type RoomForRecording } from './pruner.js';
import { SEGMENT_EVENT } from './segments.js';
import { recordingStorageReport, type LostSegments, type RecordingStorageReport } from './storageReport.js';

/** How often the recordings are held to their quota and the free-space floor between segments. */
export const PRUNE_INTERVAL_MS = 10_000;
const BUS_OWNER = 'recording-storage';

export type RecordingStorageOptions = PrunerOptions & { intervalMs?: number | undefined };

/** The alarm as the health detail says it (English: health details go to logs and the county). */
function lossDetail(lost: LostSegments): string {
  const { count, at, activityId, camera, index, reason } = lost;
  const more = count > 1 ? `; ${count} segments lost in the last 24 h` : '';
  return (
    `recording segment deleted before it was uploaded (${reason}) at ${wallTimeText(at)}: activity ${activityId}, ` +
    `camera ${camera}, segment ${index}; that part of the meeting is lost${more}`
  );
}

/**
 * The recordings' storage as a service: prunes at start (after journaling the files a crash left
 * gone), every PRUNE_INTERVAL_MS and after each `recording.segment` entry; the recorder asks it for
 * room (makeRoom) before it stops. Degraded while a segment deleted before its upload is less than
 * a day old, or while entries of deletions wait for the journal.
 */
export class RecordingStorageService implements Service, RoomForRecording {
  readonly name = 'recording-storage';
  private readonly pruner: SegmentPruner;
  private readonly healthChanges: HealthChanges;
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private lastError: string | undefined;
  /** Set once the files a crash left gone are journaled: the first pass that gets that far. */
  private missingRecorded = false;

  constructor(private readonly options: RecordingStorageOptions) {
    this.pruner = new SegmentPruner(options);
    this.healthChanges = new HealthChanges(this, options.bus);
  }

  /** The first pass waits for the next turn of the event loop, so it never delays READY=1. */
  start(): void {
    this.first = setTimeout(() => this.pass(), 0);
    this.timer = setInterval(() => this.pass(), this.options.intervalMs ?? PRUNE_INTERVAL_MS);
    this.options.bus?.on(BUS_OWNER, 'journal.appended', ({ type }) => {
      // After the recorder's append returned: its indexing never waits for a prune.
      if (type === SEGMENT_EVENT && this.soon === undefined)
        this.soon = setImmediate(() => {
          this.soon = undefined;
          this.pass();
        });
    });
  }

  stop(): void {
    clearTimeout(this.first);
    clearInterval(this.timer);
    if (this.soon !== undefined) clearImmediate(this.soon);
    this.soon = undefined;
    this.timer = undefined;
    this.options.bus?.removeOwner(BUS_OWNER);
  }

  makeRoom(): boolean {
    const room = this.pruner.makeRoom();
    this.healthChanges.note();
    return room;
  }

  report(): RecordingStorageReport {
    const { journal, clock, uploaded, quotaBytes } = this.options;
    return recordingStorageReport(journal.db, {
      uploaded,
      waiting: this.pruner.waitingEntries(),
      nowWallMs: clock.read().wallMs,
      quotaBytes,
    });
  }

  health(): ServiceHealth {
    if (this.timer === undefined) return { state: 'stopped' };
    const details: string[] = [];
    const waiting = this.pruner.waitingEntries().length;
    if (waiting > 0)
      details.push(`${waiting} deleted segment(s) wait for their recording.pruned entries: the journal refuses writes`);
    const { lost } = this.report();
    if (lost !== null) details.push(lossDetail(lost));
    if (this.lastError !== undefined) details.push(this.lastError);
    return details.length === 0 ? { state: 'ok' } : { state: 'degraded', detail: details.join('; ') };
  }

  private pass(): void {
    try {
      if (!this.missingRecorded) this.pruner.recordMissing();
      this.missingRecorded = true;
      this.pruner.prune();
      this.lastError = undefined;
    } catch (error) {
      this.lastError = `recording prune failed: ${(error as Error).message}`;
      this.options.logger.error({ err: error }, 'recording prune failed; retrying at the next pass');
    }
    this.healthChanges.note();
  }
}
