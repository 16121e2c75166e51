import { gapLinkProblem, JOURNAL_GAP_EVENT, readGap, type JournalGapPayload } from '../journal/gap.js';
import type { KeyChain } from '../journal/keyChain.js';
import type { JournalEntry } from '../journal/types.js';
import { checkEntry, type EntryVerdict } from './entryCheck.js';
import type { Room } from './room.js';

export { JOURNAL_GAP_EVENT };

/** Reads a stored entry by seq; undefined when the center does not hold it. */
export type EntryReader = (seq: number) => JournalEntry | undefined;

/** Seqs of the journal.gap entries the center stores for the room above a seq, ascending. */
export type GapSeqs = (afterSeq: number) => number[];

/** A gap that checked: the room's verified chain continues at entry.seq. */
export interface CheckedGap {
  entry: JournalEntry;
  gap: JournalGapPayload;
}

export type GapVerdict = ({ kind: 'ok' } & CheckedGap) | Exclude<EntryVerdict, { kind: 'ok' }>;

/**
 * The hash the center verified at `seq`, the entry a gap continues from: in the verified prefix
 * and not in a range an earlier gap skipped (what the center holds there is outside the chain),
 * or the hash before the room's first entry. Undefined when the center has not verified it.
 */
function verifiedHashAt(room: Room, read: EntryReader, seq: number): string | undefined {
  if (room.baseSeq === null || seq > room.contiguousSeq || seq < room.baseSeq - 1) return undefined;
  if (seq === room.contiguousSeq) return room.contiguousHash ?? undefined;
  if (room.gaps.some(({ lost }) => lost !== null && lost.fromSeq <= seq && seq <= lost.toSeq)) return undefined;
  return seq === room.baseSeq - 1 ? read(room.baseSeq)?.prevHash : read(seq)?.hash;
}

/**
 * The device's gap rules (journal/gap.ts) applied at the center: the payload valid and its lost
 * range exactly the seqs it skips, its continuesFrom the entry the center verified at that seq
 * (the same hash) and its prevHash that hash, its signature by the key in force. A gap whose
 * predecessor the center has not verified yet is pending; one that contradicts it is broken.
 */
export function checkGap(room: Room, entry: JournalEntry, read: EntryReader, keys: KeyChain | undefined): GapVerdict {
  const gap = readGap(entry);
  if (typeof gap === 'string') return { kind: 'broken', reason: gap };
  const from = gap.continuesFrom.seq;
  const hash = verifiedHashAt(room, read, from);
  if (hash === undefined) {
    return {
      kind: 'pending',
      reason: `entry ${entry.seq} is a journal.gap continuing from seq ${from}, which the center has not verified`,
    };
  }
  const link = gapLinkProblem(entry, gap, { seq: from, hash });
  if (link !== undefined) return { kind: 'broken', reason: link };
  const verdict = checkEntry(entry, { seq: from, hash }, keys);
  return verdict.kind === 'ok' ? { kind: 'ok', entry, gap } : verdict;
}

/**
 * The lowest stored gap above the verified prefix that continues from inside it, judged; undefined
 * when there is none. A gap continuing from a seq the prefix has not reached is not judged yet,
 * nor one continuing from at or past where the chain broke: it cannot explain that break.
 */
export function nextGap(
  room: Room,
  read: EntryReader,
  gapSeqs: GapSeqs,
  keys: KeyChain | undefined,
): { seq: number; verdict: GapVerdict } | undefined {
  for (const seq of gapSeqs(room.contiguousSeq)) {
    const entry = read(seq);
    if (entry === undefined) continue;
    const gap = readGap(entry);
    if (typeof gap === 'string') continue;
    const from = gap.continuesFrom.seq;
    if (from > room.contiguousSeq || (room.broken !== null && room.broken.seq <= from)) continue;
    return { seq, verdict: checkGap(room, entry, read, keys) };
  }
  return undefined;
}
