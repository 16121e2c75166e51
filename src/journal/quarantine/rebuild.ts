import { GENESIS_HASH } from '../../store/migrations.js';
import { openDatabase, type Db } from '../../store/database.js';
import { statement } from '../../store/statements.js';
import { authentic } from '../branch.js';
import type { EventRow } from '../entries.js';
import { isCarriable } from '../gap.js';
import { KeyChain } from '../keyChain.js';
import { readCheckpoint, writeAnchor, writeHead, writeVerified } from '../meta.js';
import type { JournalEntry, JournalHead } from '../types.js';
import { verifyJournal } from '../verify.js';
import { CHAIN_TABLES, type DamagedJournal } from './damagedFile.js';
import { quoted } from './salvage.js';

/** The new file's chain before the gap: entries 1..L verbatim, and the readable entries after them. */
export interface RebuiltPrefix {
  /** The last entry kept verbatim (L), or the checkpoint or genesis when none is. */
  from: JournalHead;
  /** Readable entries after L, in seq order, to be checked and carried after the gap. */
  after: EventRow[];
  /** Rows copied per table (other than the chain's own). */
  copied: Record<string, number>;
}

function insertRows(db: Db, table: string, rows: ReadonlyArray<Record<string, unknown>>): number {
  const columns = new Set(
    (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((c) => c.name),
  );
  let copied = 0;
  for (const row of rows) {
    const names = Object.keys(row).filter((name) => columns.has(name));
    if (names.length === 0) continue;
    // A row that breaks a constraint of the new file (a damaged value) stays in the export only.
    try {
      db.prepare(
        `INSERT OR REPLACE INTO ${quoted(table)} (${names.map(quoted).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
      ).run(...names.map((name) => row[name]));
      copied++;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_CONSTRAINT')) throw error;
    }
  }
  return copied;
}

/**
 * Rows left pointing at a row the damage took (a finger of a member whose row is lost) would
 * break the next write of their table: they go, as SQLite's foreign key check names them.
 */
function dropOrphans(db: Db): void {
  const orphans = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number | null }>;
  for (const orphan of orphans) {
    if (orphan.rowid !== null) db.prepare(`DELETE FROM ${quoted(orphan.table)} WHERE rowid = ?`).run(orphan.rowid);
  }
}

/**
 * The longest prefix of the readable events that verifies, found by the journal's own verifier
 * on the new file: every readable entry goes in, and whatever follows the first break comes out
 * again (a bad checkpoint takes every entry with it).
 */
function keepVerifiablePrefix(db: Db, events: readonly EventRow[]): { from: JournalHead; after: EventRow[] } {
  for (const row of events) {
    statement(
      db,
      `INSERT OR IGNORE INTO events (seq, id, type, payload, wall_ms, boot_id, mono_ms, clock, prev_hash, hash, key_id, signature)
       VALUES (@seq, @id, @type, @payload, @wall_ms, @boot_id, @mono_ms, @clock, @prev_hash, @hash, @key_id, @signature)`,
    ).run(row);
  }
  for (;;) {
    const last = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get() as JournalHead | undefined;
    const checkpoint = readCheckpoint(db);
    const head = last ?? checkpoint ?? { seq: 0, hash: GENESIS_HASH };
    writeHead(db, head);
    writeVerified(db, { seq: 0, hash: GENESIS_HASH });
    const result = verifyJournal(db, 'full');
    if (result.ok) {
      writeVerified(db, head);
      return { from: { seq: head.seq, hash: head.hash }, after: events.filter((row) => row.seq > head.seq) };
    }
    if (checkpoint !== undefined && result.firstBrokenSeq <= checkpoint.seq) {
      statement(db, 'DELETE FROM checkpoints').run();
      statement(db, 'DELETE FROM events').run();
    } else {
      statement(db, 'DELETE FROM events WHERE seq >= ?').run(result.firstBrokenSeq);
    }
  }
}

/**
 * Writes the new journal file: the schema by the migrations, then the rows of every other table
 * that could be read, the device keys, the checkpoint and the entries of the longest verifiable
 * prefix, verbatim (their signatures stay valid), and the center's anchor when it lies within
 * that prefix. The gap that continues the chain is the journal's to append (continueAfterLoss).
 */
export function rebuildJournalFile(file: string, damaged: DamagedJournal): RebuiltPrefix {
  const db = openDatabase(file, { access: 'create' });
  try {
    db.pragma('foreign_keys = OFF');
    return db
      .transaction((): RebuiltPrefix => {
        const copied: Record<string, number> = {};
        for (const table of damaged.tables) {
          if ((CHAIN_TABLES as readonly string[]).includes(table.name)) continue;
          copied[table.name] = insertRows(db, table.name, table.rows);
        }
        const checkpoints = damaged.tables.find((table) => table.name === 'checkpoints');
        const newest = checkpoints?.rows.at(-1);
        if (newest !== undefined) insertRows(db, 'checkpoints', [newest]);
        dropOrphans(db);
        const prefix = keepVerifiablePrefix(db, damaged.events);
        const anchor = damaged.tables.find((table) => table.name === 'sync_anchor')?.rows[0];
        if (anchor !== undefined && Number(anchor.seq) <= prefix.from.seq) keepAnchor(db, anchor);
        return { ...prefix, copied };
      })
      .immediate();
  } finally {
    db.pragma('foreign_keys = ON');
    db.close();
  }
}

/** The center's anchor, when the entry it names is the one kept (or the checkpoint's). */
function keepAnchor(db: Db, anchor: Record<string, unknown>): void {
  const seq = Number(anchor.seq);
  const local =
    readCheckpoint(db)?.seq === seq
      ? readCheckpoint(db)?.hash
      : (db.prepare('SELECT hash FROM events WHERE seq = ?').get(seq) as { hash: string } | undefined)?.hash;
  if (local !== anchor.hash) return;
  writeAnchor(db, {
    seq,
    hash: String(anchor.hash),
    centerTimeMs: anchor.center_time_ms === null ? undefined : Number(anchor.center_time_ms),
    recordedMonoMs: Number(anchor.recorded_mono_ms),
    recordedBootId: String(anchor.recorded_boot_id),
  });
}

/**
 * The entries after the kept prefix that can be carried across the gap: intact, signed by a
 * device key this journal trusts (branch.ts authentic), and of a kind that may move (gap.ts
 * isCarriable), each id once.
 */
export function carriableEntries(db: Db, rows: readonly EventRow[]): JournalEntry[] {
  const keys = KeyChain.load(db);
  const seen = new Set<string>();
  const carried: JournalEntry[] = [];
  for (const row of rows) {
    const entry = authentic(row, keys);
    if (entry === undefined || !isCarriable(entry) || seen.has(entry.id)) continue;
    seen.add(entry.id);
    carried.push(entry);
  }
  return carried;
}
