import { z } from 'zod';
import type { ClockReading } from '../clock/types.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Db } from '../store/database.js';
import type { SyncAnchor } from './types.js';
import { eventRowAt } from './entries.js';
import { readAnchor, readCheckpoint, readHead, writeAnchor } from './meta.js';

/** The center's acknowledgement as the sync service hands it over. */
export const anchorInputSchema = z.strictObject({
  seq: z.number().int().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
  centerTimeMs: z.number().int().min(0).optional(),
});
export type AnchorInput = z.infer<typeof anchorInputSchema>;

/**
 * Stores the sync cursor: the highest seq the center has stored, with the hash it saw there.
 * Verification later holds the local chain to it. An acknowledgement older than the cursor
 * (a late duplicate) changes nothing; one that contradicts the local chain is refused loudly.
 */
export function anchorJournal(db: Db, input: AnchorInput, now: ClockReading): void {
  db.transaction(() => {
    const anchor = checkedAnchor(db, input, now, readAnchor(db));
    if (anchor !== undefined) writeAnchor(db, anchor);
  }).immediate();
}

/**
 * The acknowledgement as the new sync cursor, checked against the local chain; undefined when it
 * does not move `current` forward. Throws JournalBadInput or JournalTampered. Reads only: a card
 * that cannot be written still gets its acknowledgements checked (and held in memory).
 */
export function checkedAnchor(
  db: Db,
  input: AnchorInput,
  now: ClockReading,
  current: SyncAnchor | undefined,
): SyncAnchor | undefined {
  const parsed = anchorInputSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'anchor'}: ${issue.message}`)
      .join('; ');
    throw new AgentError(ErrorCode.JournalBadInput, `invalid acknowledgement from the center: ${problems}`, { input });
  }
  const { seq, hash, centerTimeMs } = parsed.data;
  if (current !== undefined && seq <= current.seq) return undefined;
  const checkpoint = readCheckpoint(db);
  const local = seq === checkpoint?.seq ? checkpoint.hash : eventRowAt(db, seq)?.hash;
  if (local === undefined) {
    throw new AgentError(
      ErrorCode.JournalTampered,
      `the center acknowledged seq ${seq}, but the local journal has no entry ${seq} (head is seq ${readHead(db).seq})`,
      { seq },
    );
  }
  if (local !== hash) {
    throw new AgentError(ErrorCode.JournalTampered, `entry ${seq} differs from the entry the center acknowledged`, {
      seq,
      local,
      acknowledged: hash,
    });
  }
  return { seq, hash, centerTimeMs, recordedMonoMs: now.monoMs, recordedBootId: now.bootId };
}
