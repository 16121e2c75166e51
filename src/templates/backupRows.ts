import { toFingerRecord, type FingerRecord, type FingerRow } from '../members/fingerRows.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import type { SealedTemplate } from './backupCipher.js';
import type { CountyEnvelope } from '../escrow/countyEnvelope.js';

/** A finger with its sealed template: what a restore writes back and a backup file carries. */
export interface FingerBackup extends FingerRecord {
  sealed: SealedTemplate;
}

interface BackupRow extends FingerRow {
  key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function insertBackup(db: Db, slot: number, sealed: SealedTemplate): void {
  statement(db, 'INSERT INTO template_backups (slot, key_id, nonce, ciphertext, tag) VALUES (?, ?, ?, ?, ?)').run(
    slot,
    sealed.keyId,
    sealed.nonce,
    sealed.ciphertext,
    sealed.tag,
  );
}

/** Every enrolled finger with its backup, by slot (both are written in one transaction). */
export function fingerBackups(db: Db): FingerBackup[] {
  const rows = statement(
    db,
    `SELECT f.slot, f.member_id, f.finger, f.module_family, f.template_size, f.enrolled_seq, b.key_id, b.nonce, b.ciphertext, b.tag
     FROM fingers f JOIN template_backups b ON b.slot = f.slot ORDER BY f.slot`,
  ).all() as BackupRow[];
  return rows.map((row) => ({
    ...toFingerRecord(row),
    sealed: { keyId: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext, tag: row.tag },
  }));
}

export interface EscrowRecord {
  slot: number;
  memberId: string;
  moduleFamily: string;
  templateSize: number;
  envelope: CountyEnvelope;
  createdSeq: number;
}

/** Queued for the county; the sync sends it and sets sent_seq. */
export function insertEscrow(db: Db, record: EscrowRecord): void {
  statement(
    db,
    'INSERT INTO template_escrow (slot, member_id, module_family, template_size, envelope, created_seq) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    record.slot,
    record.memberId,
    record.moduleFamily,
    record.templateSize,
    JSON.stringify(record.envelope),
    record.createdSeq,
  );
}
