import Database from 'better-sqlite3';
import type { Db } from '../../store/database.js';
import type { EventRow } from '../entries.js';
import type { JournalHead } from '../types.js';
import { salvageTable, type SalvagedTable } from './salvage.js';

/** Tables the rebuild treats on their own: the chain and what describes it. */
export const CHAIN_TABLES = ['events', 'journal_meta', 'sync_anchor', 'checkpoints'] as const;

/** What could still be read from a damaged journal file. */
export interface DamagedJournal {
  /** Every table of the file's schema that could be named, events included, in schema order. */
  tables: SalvagedTable[];
  /** The readable events, in seq order. */
  events: EventRow[];
  /** The head recorded in journal_meta, when its row is readable. */
  head: JournalHead | undefined;
  /** The highest seq any readable record knows: head, events, sync anchor, checkpoint. */
  highestSeq: number;
  /** Why nothing could be read, when the file would not even open. */
  unopenable?: string;
}

/** The one row of journal_meta or sync_anchor (both hold at most the row with id 1). */
function single(table: SalvagedTable | undefined): Record<string, unknown> | undefined {
  return table?.rows[0];
}

/** Table names from the schema; none when the schema page itself is damaged. */
function tableNames(db: Db): string[] {
  try {
    return (
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{
        name: string;
      }>
    ).map((row) => row.name);
  } catch {
    return [...CHAIN_TABLES, 'device_keys'];
  }
}

/**
 * Reads a damaged journal file without writing to it (read-only: the file is evidence). The
 * events are read first, bounded by the head journal_meta recorded, so that rows behind a
 * damaged stretch are found even when the newest pages are the damaged ones.
 */
export function readDamagedJournal(file: string): DamagedJournal {
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    return { tables: [], events: [], head: undefined, highestSeq: 0, unopenable: (error as Error).message };
  }
  try {
    const names = tableNames(db);
    const meta = single(salvageTable(db, 'journal_meta'));
    const head = meta === undefined ? undefined : { seq: Number(meta.head_seq), hash: String(meta.head_hash) };
    const tables = names.map((name) =>
      name === 'journal_meta' && meta !== undefined
        ? { name, rows: [meta], failedReads: 0 }
        : salvageTable(db, name, name === 'events' ? head?.seq : undefined),
    );
    const events = (tables.find((table) => table.name === 'events')?.rows ?? []) as unknown as EventRow[];
    const anchor = single(tables.find((table) => table.name === 'sync_anchor'));
    const checkpoints = tables.find((table) => table.name === 'checkpoints')?.rows ?? [];
    const highestSeq = Math.max(
      head?.seq ?? 0,
      events.at(-1)?.seq ?? 0,
      anchor === undefined ? 0 : Number(anchor.seq),
      ...checkpoints.map((row) => Number(row.seq)),
    );
    return { tables, events, head, highestSeq };
  } finally {
    db.close();
  }
}
