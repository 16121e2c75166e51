import { entryHash } from '../journal/canonical.js';
import { rowToEntry, type EventRow } from '../journal/entries.js';
import type { JournalEntry } from '../journal/types.js';
import type { StateMessage } from '../sync/protocol/messages.js';
import { checkEntry, type EntryVerdict } from './entryCheck.js';
import {
  checkGap,
  JOURNAL_GAP_EVENT,
  nextGap,
  type CheckedGap,
  type EntryReader,
  type GapSeqs,
  type GapVerdict,
} from './gapCheck.js';
import { keyChainOf, type BrokenChain, type Room } from './room.js';
import type { CenterStore } from './store.js';

/**
 * Entries just inserted are read from memory, with the hashes decoding computed; anything else
 * from the store a page at a time (one query per page when a prefix walks over a backlog that
 * arrived out of order), its hash recomputed from the stored content: checkEntry trusts no hash
 * column, so a hand edit of the center's file fails the signature instead of passing under the old hash.
 */
export function entryReader(
  store: CenterStore,
  deviceId: string,
  fresh: ReadonlyMap<number, JournalEntry>,
): EntryReader {
  let page = new Map<number, EventRow>();
  return (seq) => {
    const inserted = fresh.get(seq);
    if (inserted !== undefined) return inserted;
    let row = page.get(seq);
    if (row === undefined) {
      page = store.entriesFrom(deviceId, seq);
      row = page.get(seq);
    }
    return row === undefined ? undefined : rehashed(row);
  };
}

function rehashed(row: EventRow): JournalEntry {
  try {
    const entry = rowToEntry(row);
    return { ...entry, hash: entryHash(entry) };
  } catch {
    // Only a hand edit of the center's file leaves a payload that does not parse or hash: no hash, so no signature verifies.
    return { ...rowToEntry({ ...row, payload: 'null' }), hash: '' };
  }
}

/**
 * Flags the room's chain as broken at `seq` unless it is already broken at or before it (the
 * first break is the one that matters: nothing past it is acknowledged). True when flagged now.
 */
export function flagBroken(room: Room, seq: number, reason: string): boolean {
  if (room.broken !== null && room.broken.seq <= seq) return false;
  room.broken = { seq, reason };
  return true;
}

/**
 * Sets where the room's prefix starts: where the device says its journal starts (seq 1, or the
 * entry after its prune checkpoint, whose prevHash the checkpoint gives). Never the first batch
 * the center happened to see: batches published before the center subscribed are lost at the
 * broker, and the gap they leave must be asked for, not skipped.
 */
export function decideBase(room: Room, start: StateMessage['journalStart']): void {
  if (room.baseSeq !== null) return;
  room.baseSeq = start.seq;
  room.contiguousSeq = start.seq - 1;
  room.contiguousHash = start.prevHash;
}

export interface Advance {
  moved: boolean;
  /** Set when this walk flagged the chain as broken. */
  broken: BrokenChain | null;
  /** Gaps the prefix moved over in this walk. */
  gaps: CheckedGap[];
}

/**
 * Moves the verified prefix over every consecutive stored entry that passes checkEntry. Where it
 * stops (a missing seq, an entry it cannot judge yet, a broken one, or a break flagged before),
 * a stored journal.gap that continues from inside the prefix may carry it on: when the gap
 * checks (gapCheck.ts), the prefix jumps to it, and a break flagged in the range it skipped is
 * cleared (the gap explains it). Otherwise the walk stops there, the break flagged.
 */
export function advancePrefix(room: Room, read: EntryReader, gapSeqs: GapSeqs, nowMs: number): Advance {
  const result: Advance = { moved: false, broken: null, gaps: [] };
  if (room.baseSeq === null) return result;
  const keys = room.keys.length === 0 ? undefined : keyChainOf(room);
  room.pending = null;
  for (;;) {
    const seq = room.contiguousSeq + 1;
    const blocked = room.broken !== null && room.broken.seq <= seq;
    const entry = blocked ? undefined : read(seq);
    let stop: EntryVerdict | undefined;
    if (entry !== undefined) {
      const gap = entry.type === JOURNAL_GAP_EVENT ? checkGap(room, entry, read, keys) : undefined;
      const verdict = gap ?? checkEntry(entry, { seq: room.contiguousSeq, hash: room.contiguousHash }, keys);
      if (verdict.kind === 'ok') {
        if (gap?.kind === 'ok') moveOverGap(room, gap, result);
        else {
          room.contiguousSeq = seq;
          room.contiguousHash = entry.hash;
        }
        result.moved = true;
        continue;
      }
      stop = verdict;
    }
    const jump = nextGap(room, read, gapSeqs, keys);
    if (jump?.verdict.kind === 'ok') {
      moveOverGap(room, jump.verdict, result);
      result.moved = true;
      continue;
    }
    holdAt(room, seq, stop, result);
    if (jump !== undefined) holdAt(room, jump.seq, jump.verdict, result);
    break;
  }
  if (result.moved) room.progressMs = nowMs;
  return result;
}

/** Why the prefix stands still at `seq`: an entry waiting for its key, or a break (flagged). */
function holdAt(room: Room, seq: number, verdict: EntryVerdict | GapVerdict | undefined, result: Advance): void {
  if (verdict?.kind === 'pending') room.pending ??= verdict.reason;
  if (verdict?.kind === 'broken' && flagBroken(room, seq, verdict.reason)) result.broken = room.broken;
}

/** The prefix continues at the gap; a break inside the range it skipped is what the gap explains. */
function moveOverGap(room: Room, checked: CheckedGap, result: Advance): void {
  const { entry, gap } = checked;
  room.contiguousSeq = entry.seq;
  room.contiguousHash = entry.hash;
  if (room.broken !== null && gap.continuesFrom.seq < room.broken.seq && room.broken.seq <= entry.seq)
    room.broken = null;
  if (result.broken !== null && result.broken.seq <= entry.seq) result.broken = null;
  result.gaps.push(checked);
}
