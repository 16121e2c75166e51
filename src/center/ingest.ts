import type { JournalEntry } from '../journal/types.js';
import type { Logger } from '../log.js';
import type { EventBatch } from '../sync/protocol/eventBatch.js';
import type { Received, StateMessage } from '../sync/protocol/messages.js';
import { JOURNAL_GAP_EVENT, type CheckedGap } from './gapCheck.js';
import { advancePrefix, decideBase, entryReader, flagBroken, type Advance } from './prefix.js';
import { keyChainOf, type BrokenChain, type KnownGap, type Room } from './room.js';
import { mergeKeys } from './roomKeys.js';
import type { CenterStore } from './store.js';

/** What storing one batch did. */
export interface BatchOutcome {
  deviceId: string;
  lane: EventBatch['lane'];
  fromSeq: number;
  toSeq: number;
  inserted: number;
  /** Of those inserted, carried copies of entries the center held under another seq: not counted again. */
  copies: number;
  duplicates: number;
  contiguousSeq: number;
  /** The prefix moved with this batch. */
  advanced: boolean;
  /** Set when this batch made the center flag the room's chain. */
  broken: BrokenChain | null;
  /** Gaps the prefix moved over with this batch. */
  gaps: KnownGap[];
}

/**
 * Stores batches and key lists and keeps each room's verified prefix: every change to a room
 * and its events commits in one transaction, so the prefix never claims an entry that is not on disk.
 */
export class Ingest {
  constructor(
    private readonly store: CenterStore,
    private readonly logger: Logger,
  ) {}

  storeBatch(room: Room, batch: EventBatch, nowMs: number): BatchOutcome {
    const outcome = this.inTransaction(room, (): BatchOutcome => {
      const fresh = new Map<number, JournalEntry>();
      let duplicates = 0;
      let copies = 0;
      let conflict: BrokenChain | null = null;
      for (const entry of batch.entries) {
        const stored = this.store.insertEntry(room.deviceId, entry, nowMs);
        if (stored.kind === 'inserted' || stored.kind === 'copy') fresh.set(entry.seq, entry);
        if (stored.kind === 'copy') copies++;
        else if (stored.kind === 'duplicate') duplicates++;
        else if (stored.kind === 'conflict' && flagBroken(room, entry.seq, stored.reason)) conflict = room.broken;
      }
      room.duplicates += duplicates;
      room.lastSeenMs = nowMs;
      room.maxStoredSeq = Math.max(room.maxStoredSeq, batch.toSeq);
      const advance = this.advance(room, fresh, nowMs);
      this.store.saveRoom(room);
      return {
        deviceId: room.deviceId,
        lane: batch.lane,
        fromSeq: batch.fromSeq,
        toSeq: batch.toSeq,
        inserted: fresh.size,
        copies,
        duplicates,
        contiguousSeq: room.contiguousSeq,
        advanced: advance.moved,
        broken: advance.broken ?? (room.broken === conflict ? conflict : null),
        gaps: advance.gaps,
      };
    });
    if (outcome.broken !== null) this.logBroken(room, outcome.broken);
    return outcome;
  }

  /** advancePrefix over the store (and the entries just inserted); every gap it moved over is recorded. */
  private advance(
    room: Room,
    fresh: ReadonlyMap<number, JournalEntry>,
    nowMs: number,
  ): Omit<Advance, 'gaps'> & { gaps: KnownGap[] } {
    const walked = advancePrefix(
      room,
      entryReader(this.store, room.deviceId, fresh),
      (afterSeq) => this.store.gapSeqsAbove(room.deviceId, JOURNAL_GAP_EVENT, afterSeq),
      nowMs,
    );
    const gaps = walked.gaps.map((checked) => this.knownGap(room, checked, nowMs));
    for (const gap of gaps) {
      this.store.recordGap(room.deviceId, gap);
      this.logGap(room, gap);
    }
    if (gaps.length > 0)
      room.gaps = [...room.gaps.filter((known) => !gaps.some((gap) => gap.seq === known.seq)), ...gaps];
    return { ...walked, gaps };
  }

  private knownGap(room: Room, { entry, gap }: CheckedGap, nowMs: number): KnownGap {
    return {
      seq: entry.seq,
      reason: gap.reason,
      detail: gap.detail,
      continuesFrom: gap.continuesFrom.seq,
      lost: gap.lost,
      heldLost: gap.lost === null ? 0 : this.store.heldBetween(room.deviceId, gap.lost.fromSeq, gap.lost.toSeq),
      carried: gap.carried?.count ?? 0,
      quarantinedFile: gap.quarantinedFile ?? null,
      wallMs: entry.wallMs,
      recordedMs: nowMs,
    };
  }

  /**
   * Records a state message: the first one sets where the room's prefix starts, and its key list
   * is merged (roomKeys.ts). When the list grew, or the prefix just got its start, the prefix is
   * walked again: batches may have waited for exactly this.
   */
  adoptState(room: Room, state: Received<StateMessage>, nowMs: number): BrokenChain | null {
    const flagged = this.inTransaction(room, () => {
      room.state = state.state;
      room.reason = state.reason ?? null;
      room.version = state.version;
      room.bootId = state.bootId;
      room.ackVersion = state.ackVersion ?? 1;
      room.lastSeenMs = nowMs;
      let broken: BrokenChain | null = null;
      const firstState = room.baseSeq === null;
      decideBase(room, state.journalStart);
      const keys = mergeKeys(room, state.keys);
      if (keys.conflict !== undefined) {
        if (flagBroken(room, keys.conflict.seq, keys.conflict.reason)) broken = room.broken;
      } else if (keys.grew || firstState) {
        for (const [keyId, problem] of keyChainOf(room).refused)
          this.logger.warn({ deviceId: room.deviceId, keyId, problem }, 'room announced a key that is not endorsed');
        broken = this.advance(room, new Map(), nowMs).broken;
      }
      this.store.saveRoom(room);
      return broken;
    });
    if (flagged !== null) this.logBroken(room, flagged);
    return flagged;
  }

  /**
   * The room object is changed as the transaction goes; when the commit fails (a full disk), the
   * room gets back what it was, so memory never runs ahead of the file. Its fields are replaced,
   * never mutated in place, which makes a shallow copy a complete snapshot.
   */
  private inTransaction<T>(room: Room, fn: () => T): T {
    const before = { ...room };
    try {
      return this.store.transaction(fn);
    } catch (error) {
      Object.assign(room, before);
      throw error;
    }
  }

  private logGap(room: Room, gap: KnownGap): void {
    this.logger.warn(
      {
        deviceId: room.deviceId,
        seq: gap.seq,
        reason: gap.reason,
        lost: gap.lost,
        heldLost: gap.heldLost,
        carried: gap.carried,
      },
      'room journal continues above a gap it declared: the seqs it skipped are never acknowledged as its chain',
    );
  }

  private logBroken(room: Room, broken: BrokenChain): void {
    this.logger.error(
      { deviceId: room.deviceId, seq: broken.seq, reason: broken.reason },
      'room chain is broken: nothing at or past this seq is acknowledged',
    );
  }
}
