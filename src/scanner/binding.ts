import { createHash } from 'node:crypto';
import type { ScannerFamily } from '../../drivers/scanner.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';

/** The module this device trusts (table module_binding): R30x notepad token or GT serial number. */
export interface ModuleBinding {
  family: ScannerFamily;
  token: string;
  boundSeq: number;
}

interface BindingRow {
  family: ScannerFamily;
  token: string;
  bound_seq: number;
}

export function readBinding(db: Db): ModuleBinding | undefined {
  const row = statement(db, 'SELECT family, token, bound_seq FROM module_binding WHERE id = 1').get() as
    BindingRow | undefined;
  return row === undefined ? undefined : { family: row.family, token: row.token, boundSeq: row.bound_seq };
}

export function writeBinding(db: Db, binding: ModuleBinding): void {
  statement(
    db,
    `INSERT INTO module_binding (id, family, token, bound_seq) VALUES (1, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET family = excluded.family, token = excluded.token, bound_seq = excluded.bound_seq`,
  ).run(binding.family, binding.token, binding.boundSeq);
}

/**
 * What journal events and status output say about a token: enough to tell two modules apart, and
 * nothing that would let anyone write our token into another module (the notepad token is half of
 * the R30x binding).
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(`room-agent module token\0${token}`).digest('hex').slice(0, 16);
}
