import { entryHash } from '../journal/canonical.js';
import { rowToEntry, type EventRow } from '../journal/entries.js';
import type { JournalEntry } from '../journal/types.js';
import type { StateMessage } from '../sync/protocol/messages.js';
import { checkEntry } from './entryCheck.js';
import { keyChainOf, type BrokenChain, type Room } from './room.js';
import type { CenterStore } from './store.js';

/** Reads a stored entry by seq; undefined when the center does not hold it. */
export type EntryReader = (seq: number) => JournalEntry | undefined;

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
}

/**
 * Moves the verified prefix over every consecutive stored entry that passes checkEntry, stopping
 * at the first missing seq, at an entry it cannot judge yet, or at a broken one (flagged).
 */
export function advancePrefix(room: Room, read: EntryReader, nowMs: number): Advance {
  const result: Advance = { moved: false, broken: null };
  if (room.baseSeq === null) return result;
  const keys = room.keys.length === 0 ? undefined : keyChainOf(room);
  room.pending = null;
  for (;;) {
    const seq = room.contiguousSeq + 1;
    if (room.broken !== null && room.broken.seq <= seq) break;
    const entry = read(seq);
    if (entry === undefined) break;
    const verdict = checkEntry(entry, { seq: room.contiguousSeq, hash: room.contiguousHash }, keys);
    if (verdict.kind === 'pending') {
      room.pending = verdict.reason;
      break;
    }
    if (verdict.kind === 'broken') {
      if (flagBroken(room, seq, verdict.reason)) result.broken = room.broken;
      break;
    }
    room.contiguousSeq = seq;
    room.contiguousHash = entry.hash;
    result.moved = true;
  }
  if (result.moved) room.progressMs = nowMs;
  return result;
}
