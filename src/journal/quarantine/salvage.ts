import type { Db } from '../../store/database.js';

/** Rows of one table that could still be read from a damaged file, in rowid order. */
export interface SalvagedTable {
  name: string;
  rows: Array<Record<string, unknown>>;
  /** Read attempts that met a damaged page or row: 0 when the whole table read cleanly. */
  failedReads: number;
}

/**
 * How many rowids past the last readable row are tried one by one when no bound is known: a
 * damaged leaf page holds at most a few hundred rows, and an interior page a few hundred leaves.
 */
const PROBE_SPAN = 200_000;

const ROWID = '__salvage_rowid';

/** A table or column name as SQL text. */
export function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** An error of SQLite's own (a damaged page, a malformed record), not a bug of ours. */
function isSqliteError(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/**
 * Reads every row of `table` that SQLite can still decode. The scan walks the table's own b-tree
 * in rowid order and never an index (NOT INDEXED): a damaged index must not hide rows that are
 * intact. When the walk meets a damaged page it starts again just past the last rowid it read,
 * one rowid further each time, so that the rows behind the damage are read too; `upperRowid`
 * (the highest rowid the table may hold, when another record knows it) bounds those retries.
 */
export function salvageTable(db: Db, table: string, upperRowid?: number): SalvagedTable {
  const rows: Array<Record<string, unknown>> = [];
  let failedReads = 0;
  let scan;
  try {
    scan = db.prepare(`SELECT rowid AS ${ROWID}, * FROM ${quoted(table)} NOT INDEXED WHERE rowid > ? ORDER BY rowid`);
  } catch (error) {
    if (!isSqliteError(error)) throw error;
    return { name: table, rows, failedReads: 1 };
  }
  let after = 0;
  let limit: number | undefined;
  for (;;) {
    try {
      for (const raw of scan.iterate(after) as Iterable<Record<string, unknown>>) {
        const { [ROWID]: rowid, ...row } = raw;
        rows.push(row);
        after = Number(rowid);
      }
      return { name: table, rows, failedReads };
    } catch (error) {
      if (!isSqliteError(error)) throw error;
      failedReads++;
      limit ??= Math.max(upperRowid ?? 0, after + PROBE_SPAN);
      after++;
      if (after >= limit) return { name: table, rows, failedReads };
    }
  }
}
