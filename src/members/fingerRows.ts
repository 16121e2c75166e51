import type { ScannerFamily } from '../../drivers/scanner.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import type { EnrolledFinger, FingerName } from './schema.js';

/**
 * The `fingers` table: which member each module slot belongs to. The sign-in flow maps a matched
 * slot to a member through it, so a slot without a row matches nobody.
 */
export interface FingerRecord extends EnrolledFinger {
  memberId: string;
}

/** A `fingers` row as SQLite returns it. */
export interface FingerRow {
  slot: number;
  member_id: string;
  finger: string;
  module_family: string;
  template_size: number;
  enrolled_seq: number;
}

export function toFingerRecord(row: FingerRow): FingerRecord {
  return {
    memberId: row.member_id,
    finger: row.finger as FingerName,
    slot: row.slot,
    moduleFamily: row.module_family as ScannerFamily,
    templateSize: row.template_size,
    enrolledSeq: row.enrolled_seq,
  };
}

export function allFingers(db: Db): FingerRecord[] {
  return (statement(db, 'SELECT * FROM fingers ORDER BY slot').all() as FingerRow[]).map(toFingerRecord);
}

export function fingersOf(db: Db, memberId: string): FingerRecord[] {
  return (statement(db, 'SELECT * FROM fingers WHERE member_id = ? ORDER BY slot').all(memberId) as FingerRow[]).map(
    toFingerRecord,
  );
}

export function fingerAtSlot(db: Db, slot: number): FingerRecord | undefined {
  const row = statement(db, 'SELECT * FROM fingers WHERE slot = ?').get(slot) as FingerRow | undefined;
  return row === undefined ? undefined : toFingerRecord(row);
}

export function fingerOfMember(db: Db, memberId: string, finger: FingerName): FingerRecord | undefined {
  const row = statement(db, 'SELECT * FROM fingers WHERE member_id = ? AND finger = ?').get(memberId, finger) as
    FingerRow | undefined;
  return row === undefined ? undefined : toFingerRecord(row);
}

export interface NewFinger {
  memberId: string;
  finger: FingerName;
  slot: number;
  moduleFamily: ScannerFamily;
  templateSize: number;
  enrolledSeq: number;
}

export function insertFinger(db: Db, finger: NewFinger): void {
  statement(
    db,
    'INSERT INTO fingers (slot, member_id, finger, module_family, template_size, enrolled_seq) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(finger.slot, finger.memberId, finger.finger, finger.moduleFamily, finger.templateSize, finger.enrolledSeq);
}

/** Deletes a member's fingers; their backups and escrow rows go with them (ON DELETE CASCADE). */
export function deleteFingersOf(db: Db, memberId: string): void {
  statement(db, 'DELETE FROM fingers WHERE member_id = ?').run(memberId);
}
