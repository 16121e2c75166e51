import { existsSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { ClockReader } from '../../clock/types.js';
import type { EventBus } from '../../daemon/bus.js';
import type { Journal } from '../../journal/journal.js';
import type { Logger } from '../../log.js';
import { measureFreeSpace } from '../../store/storageMonitor.js';
import { fsyncDirectory } from '../../util/durableDir.js';
import {
  prunedFields,
  RECORDINGS_DIR,
  SEGMENT_LIST_SUFFIX,
  recordSegmentPruned,
  storedSegmentBytes,
  storedSegments,
  type SegmentRow,
} from './segments.js';

/**
 * Why a segment's file went: stored recordings above media.recordingQuotaBytes, free space below
 * what media must leave, or the file found gone (a crash between its deletion and its entry).
 */
export type PruneReason = 'quota' | 'free-space' | 'missing';

/**
 * What the recorder holds of the pruner. When its space check before writing a segment fails, the
 * recorder calls makeRoom() first and stops recording only if it returns false.
 */
export interface RoomForRecording {
  /**
   * Prunes at once, in the caller's turn (synchronous: an unlink, a folder fsync and a journal
   * write per segment deleted), in the pruner's usual order. Never deletes a segment of the
   * running activity that is not uploaded: that recording stops instead. Never throws. Returns true
   * when afterwards the stored recordings are within media.recordingQuotaBytes and the free space
   * is at least storage.journalReserveBytes + media.minFreeBytes.
   */
  makeRoom(): boolean;
}

/** A segment whose file is deleted while its `recording.pruned` entry is not written yet: the journal refused it. */
export interface UnjournaledPrune {
  segment: SegmentRow;
  uploaded: boolean;
  reason: PruneReason;
  /** Wall time of the deletion, ms. */
  atMs: number;
}

export interface PrunerOptions {
  journal: Pick<Journal, 'transaction' | 'db'>;
  dataDir: string;
  /** media.recordingQuotaBytes; 0 = no quota. */
  quotaBytes: number;
  /** storage.journalReserveBytes + media.minFreeBytes: the free space recordings must leave. */
  keepFreeBytes: number;
  /** Whether the upload of `fileId` completed (the file outbox lives in the sync layer, above this one). */
  uploaded: (fileId: string) => boolean;
  /** The activity being recorded now, if any: its segments not yet uploaded are never deleted. */
  runningActivity: () => string | undefined;
  clock: ClockReader;
  logger: Logger;
  bus?: EventBus | undefined;
  /** Bytes free to the agent on the data directory's file system; statfs by default. */
  freeBytes?: (() => number | undefined) | undefined;
}

/** What is still to be freed: bytes above the quota and bytes missing to the free-space floor. */
interface Shortfall {
  quota: number;
  space: number;
}

const satisfied = (need: Shortfall): boolean => need.quota <= 0 && need.space <= 0;

/**
 * Keeps meeting recordings within their quota and the free space the journal needs. Deletes
 * segments already uploaded first, oldest first; then, only if still needed, segments not uploaded
 * of activities that have ended, oldest first, each with its alarm. Deleting is: unlink, fsync the
 * folder, then the `recording.pruned` entry; a crash between leaves a row whose file is gone, which
 * recordMissing() journals at the next start (reason `missing`).
 *
 * A journal that refuses the entry (a full card) does not stop uploaded segments from going: the
 * county holds them, and their space is what lets the journal write again. Their entries wait in
 * memory and are written first at every pass. A segment not uploaded is never deleted while an entry
 * waits: its entry is the county's only word that this part of the meeting is lost.
 */
export class SegmentPruner implements RoomForRecording {
  private readonly unjournaled = new Map<string, UnjournaledPrune>();
  /** Paths that could not be deleted or lie outside the recordings folder: each is logged once. */
  private readonly refused = new Set<string>();
  private readonly recordingsDir: string;
  /** Room could not be made the last time: logged once until there is room again. */
  private short = false;

  constructor(private readonly options: PrunerOptions) {
    this.recordingsDir = resolve(options.dataDir, RECORDINGS_DIR);
  }

  /** The deletions whose entries wait for the journal, oldest first. */
  waitingEntries(): UnjournaledPrune[] {
    return [...this.unjournaled.values()];
  }

  /** At start: every stored row whose file is gone is journaled pruned (`missing`), uploaded as it was. */
  recordMissing(): void {
    for (const segment of storedSegments(this.options.journal.db)) {
      if (this.unjournaled.has(segment.path)) continue;
      const file = this.fileOf(segment);
      if (file === undefined || existsSync(file)) continue;
      this.record({ segment, uploaded: this.isUploaded(segment), reason: 'missing', atMs: this.now() });
    }
  }

  makeRoom(): boolean {
    try {
      return this.prune();
    } catch (error) {
      this.options.logger.error({ err: error }, 'recording prune failed');
      return false;
    }
  }

  /** One pass; returns true when the quota and the free-space floor hold afterwards. */
  prune(): boolean {
    this.writeWaitingEntries();
    const need = this.shortfall();
    if (!satisfied(need)) this.deleteFor(need);
    const room = satisfied(need);
    if (!room && !this.short)
      this.options.logger.warn(
        { quotaExcessBytes: Math.max(0, need.quota), freeShortBytes: Math.max(0, need.space) },
        'no room for recordings: nothing left that may be deleted (the running meeting keeps its segments not yet uploaded); its recording must stop',
      );
    else if (room && this.short) this.options.logger.info('room for recordings again');
    this.short = !room;
    return room;
  }

  private deleteFor(need: Shortfall): void {
    const running = this.options.runningActivity();
    const stored = storedSegments(this.options.journal.db)
      .filter((segment) => !this.unjournaled.has(segment.path))
      .map((segment) => ({ segment, uploaded: this.isUploaded(segment) }));
    const notUploaded = stored.filter(({ segment, uploaded }) => !uploaded && segment.activityId !== running);
    // The county asked for the queued ones (their upload may be under way): those go last.
    const order = [
      ...stored.filter(({ uploaded }) => uploaded),
      ...notUploaded.filter(({ segment }) => segment.fileId === null),
      ...notUploaded.filter(({ segment }) => segment.fileId !== null),
    ];
    for (const { segment, uploaded } of order) {
      if (satisfied(need)) return;
      if (!uploaded && this.unjournaled.size > 0) return;
      const reason: PruneReason = need.quota > 0 ? 'quota' : 'free-space';
      if (!this.delete(segment, uploaded, reason, running)) continue;
      need.quota -= segment.size;
      need.space -= segment.size;
    }
  }

  /** Deletes one segment's file and records it; false when nothing was freed (already gone, or refused). */
  private delete(segment: SegmentRow, uploaded: boolean, reason: PruneReason, running: string | undefined): boolean {
    const file = this.fileOf(segment);
    if (file === undefined) return false;
    let freed = true;
    try {
      unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.refuse(segment, 'cannot be deleted', error);
        return false;
      }
      freed = false;
    }
    this.syncFolder(dirname(file));
    this.record({ segment, uploaded, reason: freed ? reason : 'missing', atMs: this.now() });
    // The running meeting's recorder may be about to open its next segment in these folders.
    if (segment.activityId !== running) this.removeEmptyFolders(dirname(file));
    return freed;
  }

  /** Logs a deletion (the alarm when the segment was not uploaded) and journals it, or keeps it waiting. */
  private record(prune: UnjournaledPrune): void {
    const { segment, uploaded, reason } = prune;
    const fields = prunedFields(segment, uploaded, reason);
    const what = reason === 'missing' ? 'recording segment file missing' : 'recording segment deleted';
    if (!uploaded)
      this.options.logger.warn(
        fields,
        `${what} before it was uploaded: this part of the meeting exists nowhere any more`,
      );
    else if (reason === 'missing') this.options.logger.warn(fields, `${what} (uploaded)`);
    else this.options.logger.info(fields, `${what} (uploaded)`);
    this.writeEntry(prune);
  }

  private writeEntry(prune: UnjournaledPrune): boolean {
    const { segment } = prune;
    try {
      this.options.journal.transaction((tx) => recordSegmentPruned(tx, segment, prune.uploaded, prune.reason));
      this.unjournaled.delete(segment.path);
      return true;
    } catch (error) {
      if (!this.unjournaled.has(segment.path)) {
        this.unjournaled.set(segment.path, prune);
        this.options.logger.error(
          { err: error, file: segment.path },
          'recording.pruned not recorded: written as soon as the journal accepts writes again',
        );
        this.options.bus?.emit('storage.writeFailed', { error, what: 'recording.pruned' });
      }
      return false;
    }
  }

  /** In deletion order; the first the journal still refuses ends the attempt (the next pass tries again). */
  private writeWaitingEntries(): void {
    for (const prune of this.waitingEntries()) if (!this.writeEntry(prune)) return;
  }

  private shortfall(): Shortfall {
    const { journal, quotaBytes, keepFreeBytes, dataDir } = this.options;
    let waiting = 0;
    for (const { segment } of this.unjournaled.values()) waiting += segment.size;
    const stored = storedSegmentBytes(journal.db) - waiting;
    const free = this.options.freeBytes?.() ?? measureFreeSpace(dataDir)?.freeBytes;
    return {
      quota: quotaBytes > 0 ? stored - quotaBytes : 0,
      space: free === undefined ? 0 : keepFreeBytes - free,
    };
  }

  private isUploaded(segment: SegmentRow): boolean {
    return segment.fileId !== null && this.options.uploaded(segment.fileId);
  }

  /** The segment's file, or undefined for a path outside the recordings folder: that is never deleted. */
  private fileOf(segment: SegmentRow): string | undefined {
    const file = resolve(this.options.dataDir, segment.path);
    const inside = relative(this.recordingsDir, file);
    if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) return file;
    this.refuse(segment, `is outside ${RECORDINGS_DIR}`, undefined);
    return undefined;
  }

  private refuse(segment: SegmentRow, why: string, error: unknown): void {
    if (this.refused.has(segment.path)) return;
    this.refused.add(segment.path);
    this.options.logger.error({ err: error, file: segment.path }, `recording segment ${why}: it is kept`);
  }

  /**
   * Removes the segment's camera folder and then its activity folder when they are empty. A camera
   * folder whose segments are all gone still holds its runs' segment lists: they only ever served
   * to find segments not yet indexed, so they go with the last segment (a damaged file set aside
   * for the county keeps the folder).
   */
  private removeEmptyFolders(folder: string): void {
    this.removeSpentSegmentLists(folder);
    for (let dir = folder; dir.startsWith(`${this.recordingsDir}/`); dir = dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        return; // not empty (or gone): what is above it is not empty either
      }
      this.syncFolder(dirname(dir));
    }
  }

  private removeSpentSegmentLists(folder: string): void {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    if (names.length === 0 || !names.every((name) => name.endsWith(SEGMENT_LIST_SUFFIX))) return;
    for (const name of names) {
      try {
        unlinkSync(join(folder, name));
      } catch (error) {
        this.options.logger.warn({ err: error, file: name }, 'a spent segment list could not be deleted');
        return;
      }
    }
  }

  private syncFolder(dir: string): void {
    try {
      fsyncDirectory(dir);
    } catch (error) {
      this.options.logger.warn({ err: error, dir }, 'a folder of recordings could not be synced');
    }
  }

  private now(): number {
    return this.options.clock.read().wallMs;
  }
}
