import type { Logger } from '../log.js';
import type { Db } from '../store/database.js';
import { SEQ_REFERENCES } from '../store/seqReferences.js';
import { statement } from '../store/statements.js';
import { entryHash } from './canonical.js';
import { eventRows, rowToEntry, type EventRow } from './entries.js';
import { isCarriable } from './gap.js';
import { KeyChain } from './keyChain.js';
import { verifyDigest } from './keyCrypto.js';
import type { JournalEntry } from './types.js';

/**
 * Moves every entry above `afterSeq` off the chain into journal_branches, verbatim, and returns
 * those to re-append after the gap at `gapSeq`, oldest first: the carriable ones (gap.ts) that are
 * still the device's own. An entry whose content no longer matches its hash or its signature was
 * changed without the device key; re-appending would sign the change, so it stays in the branch
 * table only, as evidence.
 */
export function moveToBranch(db: Db, afterSeq: number, gapSeq: number, logger: Logger): JournalEntry[] {
  const keys = KeyChain.load(db);
  const rows = [...eventRows(db, afterSeq)];
  const carry: JournalEntry[] = [];
  const insert = statement(
    db,
    `INSERT INTO journal_branches (seq, id, type, payload, wall_ms, boot_id, mono_ms, clock, prev_hash, hash, key_id,
       signature, gap_seq, carried_seq)
     VALUES (@seq, @id, @type, @payload, @wall_ms, @boot_id, @mono_ms, @clock, @prev_hash, @hash, @key_id,
       @signature, @gapSeq, @carriedSeq)`,
  );
  for (const row of rows) {
    const entry = authentic(row, keys);
    const carried = entry !== undefined && isCarriable(entry);
    if (carried) carry.push(entry);
    else if (entry === undefined)
      logger.error({ seq: row.seq }, 'an entry moved off the chain fails its hash or signature: it is not re-appended');
    insert.run({ ...row, gapSeq, carriedSeq: carried ? gapSeq + carry.length : null });
  }
  statement(db, 'DELETE FROM events WHERE seq > ?').run(afterSeq);
  return carry;
}

/** The entry, when its content hashes to its hash and a trusted device key signed that hash. */
export function authentic(row: EventRow, keys: KeyChain): JournalEntry | undefined {
  let entry: JournalEntry;
  try {
    entry = rowToEntry(row);
    if (entryHash(entry) !== row.hash) return undefined;
  } catch {
    return undefined;
  }
  const signer = keys.trustedKey(row.key_id);
  return signer !== undefined && verifyDigest(signer.publicKey, row.hash, row.signature) ? entry : undefined;
}

/** Points every row that named a moved entry at its re-appended copy (`[old seq, new seq]` pairs). */
export function remapSeqReferences(db: Db, moves: ReadonlyArray<readonly [number, number]>): void {
  if (moves.length === 0) return;
  db.exec('CREATE TEMP TABLE IF NOT EXISTS seq_moves (old_seq INTEGER PRIMARY KEY, new_seq INTEGER NOT NULL)');
  const add = statement(db, 'INSERT INTO temp.seq_moves (old_seq, new_seq) VALUES (?, ?)');
  for (const [from, to] of moves) add.run(from, to);
  for (const [table, column] of SEQ_REFERENCES) {
    db.prepare(
      `UPDATE ${table} SET ${column} = (SELECT new_seq FROM temp.seq_moves WHERE old_seq = ${column})
       WHERE ${column} IN (SELECT old_seq FROM temp.seq_moves)`,
    ).run();
  }
  db.exec('DELETE FROM temp.seq_moves');
}
