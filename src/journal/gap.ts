import { z } from 'zod';
import { KEY_ROTATED_EVENT } from './keyChain.js';
import type { JournalEntry, JournalHead, RecordedContent } from './types.js';

/**
 * A `journal.gap` entry is where the chain continues after entries were lost: it links to the last
 * entry known good (its prevHash is that entry's hash, not necessarily seq − 1's) and takes a seq
 * above every seq the room or the center may have seen, so no seq ever means two things. Entries
 * that are the device's own but cannot stay at their seq (written on a restored copy the center
 * does not know, or readable past a damaged stretch) are re-appended right after it: same id,
 * type, payload and times, a new seq, link and signature.
 */
export const JOURNAL_GAP_EVENT = 'journal.gap';

/** Why the journal continued above a gap. */
export const GAP_REASONS = [
  /** Behind or beside the center: a card restored from an image, a lost WAL, a hand edit. */
  'rollback',
  /** The file was damaged and set aside; this is the first entry of the new file after its readable prefix. */
  'damaged',
] as const;
export type GapReason = (typeof GAP_REASONS)[number];

const seqNumber = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const seqRange = z.strictObject({ fromSeq: seqNumber.min(1), toSeq: seqNumber.min(1) });

export const journalGapPayloadSchema = z.strictObject({
  reason: z.enum(GAP_REASONS),
  /** English, for the county and the log. */
  detail: z.string().max(500),
  /** The entry the chain continues from (seq 0 and the genesis hash when nothing was kept). */
  continuesFrom: z.strictObject({ seq: seqNumber, hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** The seqs skipped: continuesFrom.seq + 1 … the gap's seq − 1; null when nothing was skipped. */
  lost: seqRange.nullable(),
  /** The re-appended entries, right after the gap; null when there are none. */
  carried: seqRange.extend({ count: seqNumber.min(1) }).nullable(),
  /** File name (in the data folder's quarantine/) of the damaged journal this one replaced. */
  quarantinedFile: z.string().min(1).max(200).optional(),
});
export type JournalGapPayload = z.infer<typeof journalGapPayloadSchema>;

/**
 * Entries that give the chain its shape rather than record what happened are never re-appended: a
 * key rotation is bound to the seq after it (device_keys.first_seq), a gap to the seqs it skips.
 */
export function isCarriable(entry: Pick<JournalEntry, 'type'>): boolean {
  return entry.type !== KEY_ROTATED_EVENT && entry.type !== JOURNAL_GAP_EVENT;
}

/** The payload of a gap appended at `gapSeq`, continuing from `from`, followed by `carriedCount` entries. */
export function gapPayload(input: {
  gapSeq: number;
  from: JournalHead;
  reason: GapReason;
  detail: string;
  carriedCount: number;
  quarantinedFile?: string | undefined;
}): JournalGapPayload {
  const { gapSeq, from, carriedCount } = input;
  return {
    reason: input.reason,
    detail: input.detail.slice(0, 500),
    continuesFrom: { seq: from.seq, hash: from.hash },
    lost: gapSeq > from.seq + 1 ? { fromSeq: from.seq + 1, toSeq: gapSeq - 1 } : null,
    carried: carriedCount > 0 ? { fromSeq: gapSeq + 1, toSeq: gapSeq + carriedCount, count: carriedCount } : null,
    ...(input.quarantinedFile !== undefined && { quarantinedFile: input.quarantinedFile }),
  };
}

/** The gap's payload, or why the entry is no valid gap. */
export function readGap(entry: Pick<JournalEntry, 'seq' | 'payload'>): JournalGapPayload | string {
  const parsed = journalGapPayloadSchema.safeParse(entry.payload);
  if (!parsed.success) return `entry ${entry.seq} is a journal.gap whose payload does not say what it continues from`;
  const gap = parsed.data;
  const expected = gapPayload({
    gapSeq: entry.seq,
    from: gap.continuesFrom,
    reason: gap.reason,
    detail: gap.detail,
    carriedCount: gap.carried?.count ?? 0,
  });
  if (JSON.stringify(gap.lost) !== JSON.stringify(expected.lost) || gap.continuesFrom.seq >= entry.seq) {
    return `entry ${entry.seq} is a journal.gap whose lost range does not match the seqs it skips`;
  }
  if (JSON.stringify(gap.carried) !== JSON.stringify(expected.carried)) {
    return `entry ${entry.seq} is a journal.gap whose carried range does not start right after it`;
  }
  return gap;
}

/**
 * Why `entry`, a gap, cannot continue from `predecessor` (the entry held at its continuesFrom.seq,
 * or the journal's start), or undefined when it does. The signature is checked like any entry's.
 */
export function gapLinkProblem(
  entry: JournalEntry,
  gap: JournalGapPayload,
  predecessor: JournalHead,
): string | undefined {
  const { continuesFrom } = gap;
  if (continuesFrom.seq !== predecessor.seq || continuesFrom.hash !== predecessor.hash) {
    return `entry ${entry.seq} is a journal.gap continuing from seq ${continuesFrom.seq}, which is not the entry held there`;
  }
  if (entry.prevHash !== continuesFrom.hash) {
    return `entry ${entry.seq} is a journal.gap whose prevHash is not the hash of the entry it continues from`;
  }
  return undefined;
}

export interface ContinueAfterLossInput {
  /** The last entry known good; nothing above it may be left in the file. */
  from: JournalHead;
  /** The highest seq the room or the center may have used: the gap goes above it. */
  above: number;
  reason: GapReason;
  detail: string;
  /** Entries to re-append after the gap, oldest first; those that are not carriable are left out. */
  carry: readonly JournalEntry[];
  quarantinedFile?: string | undefined;
}

export interface ContinuedChain {
  gap: JournalEntry;
  payload: JournalGapPayload;
  /** The re-appended entries, in the order of the carried ones. */
  carried: JournalEntry[];
}

/** The part of `entry` a re-appended copy keeps. */
export function recordedContent(entry: JournalEntry): RecordedContent {
  return {
    id: entry.id,
    type: entry.type,
    payload: entry.payload,
    wallMs: entry.wallMs,
    bootId: entry.bootId,
    monoMs: entry.monoMs,
    clock: entry.clock,
  };
}
