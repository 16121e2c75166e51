import { z } from 'zod';
import { correctionsByBoot } from '../clock/corrections.js';
import { retime } from '../clock/retime.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import { makeCheckpoint } from './checkpoint.js';
import type { EventRow } from './entries.js';
import type { DeviceKey } from './keyCrypto.js';
import { readAnchor, readCheckpoint, replaceCheckpoint } from './meta.js';
import type { JournalEntry, JournalHead, JournalTransaction } from './types.js';

const DAY_MS = 86_400_000;

export const pruneOptionsSchema = z.strictObject({
  /** 0 only when storage is below its reserve: every acknowledged entry with a trustworthy time may go. */
  retentionDays: z.number().int().min(0),
  nowWallMs: z.number().int().min(0),
});
export type PruneOptions = z.infer<typeof pruneOptionsSchema>;

export interface PruneResult {
  throughSeq: number;
  deleted: number;
  /** The `journal.pruned` entry recording the prune in the chain itself. */
  entry: JournalEntry;
}

/**
 * The newest acknowledged entry that is provably older than the cutoff. Only entries with a
 * trustworthy time (synced or re-timed) prove anything; every entry before such an entry happened
 * before it, so the whole prefix up to it may go even where its own clock was wrong.
 */
function pruneLimit(
  db: Db,
  cursorSeq: number,
  afterSeq: number,
  cutoffWallMs: number,
  currentBootId: string,
): JournalHead | undefined {
  const corrections = correctionsByBoot(db);
  const newestFirst = statement(db, 'SELECT * FROM events WHERE seq <= ? AND seq > ? ORDER BY seq DESC').iterate(
    cursorSeq,
    afterSeq,
  ) as IterableIterator<EventRow>;
  for (const row of newestFirst) {
    const time = retime(
      { wallMs: row.wall_ms, monoMs: row.mono_ms, bootId: row.boot_id, clock: row.clock },
      corrections.get(row.boot_id),
      currentBootId,
    );
    if ((time.quality === 'synced' || time.quality === 'retimed') && time.wallMs < cutoffWallMs) {
      return { seq: row.seq, hash: row.hash };
    }
  }
  return undefined;
}

/**
 * Deletes acknowledged entries (seq ≤ the sync cursor) older than the retention, within the
 * caller's transaction; unacknowledged entries are never pruned, whatever their age. The signed
 * checkpoint left behind is where verification starts from, so a prune never reads as tampering.
 */
export function pruneJournal(
  tx: JournalTransaction,
  key: DeviceKey,
  options: PruneOptions,
  currentBootId: string,
): PruneResult | undefined {
  const parsed = pruneOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new AgentError(
      ErrorCode.JournalBadInput,
      `invalid prune options: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  const { retentionDays, nowWallMs } = parsed.data;
  const cursor = readAnchor(tx.db);
  if (cursor === undefined) return undefined;
  const previous = readCheckpoint(tx.db);
  const through = pruneLimit(tx.db, cursor.seq, previous?.seq ?? 0, nowWallMs - retentionDays * DAY_MS, currentBootId);
  if (through === undefined) return undefined;
  const deleted = statement(tx.db, 'DELETE FROM events WHERE seq <= ?').run(through.seq).changes;
  replaceCheckpoint(tx.db, makeCheckpoint(key, through, nowWallMs));
  const entry = tx.append('journal.pruned', {
    throughSeq: through.seq,
    throughHash: through.hash,
    deleted,
    retentionDays,
  });
  return { throughSeq: through.seq, deleted, entry };
}
