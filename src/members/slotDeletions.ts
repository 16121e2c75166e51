import type { FingerprintScanner } from '../../drivers/scanner.js';
import type { JournalTransaction } from '../journal/types.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import { fingerAtSlot } from './fingerRows.js';
import type { ScannerAccess } from './scannerAccess.js';
import type { MemberJournal } from './store.js';

/** A connected module may be busy with a sign-in; one still opening gets a few seconds. */
const BUSY_WAIT_MS = 10_000;
const CONNECT_WAIT_MS = 5_000;

interface PendingRow {
  slot: number;
  member_id: string;
}

/** Slots of a removed member: their fingers rows are gone in the same transaction, so they match nobody. */
export function queueSlotDeletions(
  tx: JournalTransaction,
  memberId: string,
  slots: readonly number[],
  queuedSeq: number,
): void {
  const insert = statement(
    tx.db,
    'INSERT OR REPLACE INTO pending_slot_deletions (slot, member_id, queued_seq) VALUES (?, ?, ?)',
  );
  for (const slot of slots) insert.run(slot, memberId, queuedSeq);
}

/** Slots that still hold a removed member's template: enrollment must not reuse them yet. */
export function pendingSlots(db: Db): number[] {
  return (statement(db, 'SELECT slot FROM pending_slot_deletions ORDER BY slot').all() as Array<{ slot: number }>).map(
    (row) => row.slot,
  );
}

/** A module found empty (wiped, or about to be restored) holds none of them any more. */
export function clearSlotDeletions(db: Db): void {
  statement(db, 'DELETE FROM pending_slot_deletions').run();
}

/**
 * Deletes removed members' templates from the module: at once when a member is removed with the
 * scanner connected, otherwise when it next connects (and before an enrollment picks a slot).
 * Each deletion on the module is journaled as `scanner.slots_deleted` {slots, memberIds}, which
 * completes the `member.removed` event for an auditor.
 */
export class SlotDeletions {
  constructor(
    private readonly journal: MemberJournal,
    private readonly scanner: ScannerAccess,
    private readonly logger: Logger,
  ) {}

  /**
   * Runs the queue when the module is connected or about to be (a CLI that just opened it);
   * returns the slots still waiting. A disconnected scanner is not waited for: the queue runs
   * when it reconnects.
   */
  async drain(): Promise<number[]> {
    const state = this.scanner.state();
    if (pendingSlots(this.journal.db).length === 0 || (state !== 'connected' && state !== 'connecting'))
      return pendingSlots(this.journal.db);
    try {
      await this.scanner.exclusive(
        'delete removed members’ templates',
        (module) => this.deleteWith(module),
        state === 'connected' ? BUSY_WAIT_MS : CONNECT_WAIT_MS,
      );
    } catch (error) {
      this.logger.warn(
        { err: error, slots: pendingSlots(this.journal.db) },
        'could not delete removed members’ templates from the module yet; retrying when it reconnects',
      );
    }
    return pendingSlots(this.journal.db);
  }

  /** The same, for a caller that already holds the module (enrollment, restore). */
  async deleteWith(module: FingerprintScanner): Promise<void> {
    const pending = statement(
      this.journal.db,
      'SELECT slot, member_id FROM pending_slot_deletions ORDER BY slot',
    ).all() as PendingRow[];
    if (pending.length === 0) return;
    const onModule = new Set(await module.enrolledSlots());
    const settled: PendingRow[] = [];
    const deleted: PendingRow[] = [];
    try {
      for (const row of pending) {
        // A slot enrolled again since (after a wipe) belongs to someone else now.
        if (onModule.has(row.slot) && fingerAtSlot(this.journal.db, row.slot) === undefined) {
          await module.deleteSlots(row.slot);
          deleted.push(row);
        }
        settled.push(row);
      }
    } finally {
      // What was deleted before a failure is recorded as deleted: the audit trail stays exact.
      if (settled.length > 0) this.settle(settled, deleted);
    }
    if (deleted.length > 0)
      this.logger.info({ slots: deleted.map((row) => row.slot) }, 'deleted removed members’ templates from the module');
  }

  private settle(settled: readonly PendingRow[], deleted: readonly PendingRow[]): void {
    this.journal.transaction((tx) => {
      const remove = statement(tx.db, 'DELETE FROM pending_slot_deletions WHERE slot = ?');
      for (const row of settled) remove.run(row.slot);
      if (deleted.length > 0) {
        tx.append('scanner.slots_deleted', {
          slots: deleted.map((row) => row.slot),
          memberIds: [...new Set(deleted.map((row) => row.member_id))],
        });
      }
    });
  }
}
