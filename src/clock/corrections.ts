import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import type { ClockCorrection } from './types.js';

interface CorrectionRow {
  boot_id: string;
  sync_wall_ms: number;
  sync_mono_ms: number;
  source: string;
  seq: number;
}

function toCorrection(row: CorrectionRow): ClockCorrection {
  return {
    bootId: row.boot_id,
    syncWallMs: row.sync_wall_ms,
    syncMonoMs: row.sync_mono_ms,
    source: row.source,
    seq: row.seq,
  };
}

/** One correction per boot: the first moment its clock was known to be right is enough. */
export function recordCorrection(db: Db, correction: ClockCorrection): void {
  statement(
    db,
    'INSERT INTO clock_corrections (boot_id, sync_wall_ms, sync_mono_ms, source, seq) VALUES (?, ?, ?, ?, ?)',
  ).run(correction.bootId, correction.syncWallMs, correction.syncMonoMs, correction.source, correction.seq);
}

export function correctionForBoot(db: Db, bootId: string): ClockCorrection | undefined {
  const row = statement(db, 'SELECT * FROM clock_corrections WHERE boot_id = ?').get(bootId) as
    CorrectionRow | undefined;
  return row === undefined ? undefined : toCorrection(row);
}

export function correctionsByBoot(db: Db): Map<string, ClockCorrection> {
  const rows = statement(db, 'SELECT * FROM clock_corrections').all() as CorrectionRow[];
  return new Map(rows.map((row) => [row.boot_id, toCorrection(row)]));
}
