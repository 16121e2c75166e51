import { AgentError, ErrorCode } from '../errors.js';
import { statement } from '../store/statements.js';
import { deleteFingersOf, fingersOf } from './fingerRows.js';
import { membersText } from './messages.js';
import { queueSlotDeletions, type SlotDeletions } from './slotDeletions.js';
import { findMember, type MemberJournal } from './store.js';

export interface RemovalResult {
  memberId: string;
  /** The module slots the member's fingers occupied. */
  slots: number[];
  /** Those still on the module because the scanner is not connected: deleted when it is. */
  pendingSlots: number[];
  seq: number;
}

/**
 * Removes a member: the roster row, their fingers, template backups and escrow rows, and their
 * last sign-in, in the transaction that journals `member.removed` {memberId, slots, operator}
 * (the center then deletes its escrow). From that commit on their fingers match nobody; the
 * templates on the module are deleted right after, or queued until the scanner is back.
 */
export class MemberRemoval {
  constructor(
    private readonly journal: MemberJournal,
    private readonly deletions: SlotDeletions,
  ) {}

  async remove(memberId: string, operator: string): Promise<RemovalResult> {
    const { slots, seq } = this.removeFromRoster(memberId, operator);
    const waiting = new Set(await this.deleteQueuedSlots());
    return { memberId, slots, pendingSlots: slots.filter((slot) => waiting.has(slot)), seq };
  }

  /**
   * The removal's database half, in one transaction: the member matches nobody from its commit
   * on, and their slots are queued for deletion from the module. Nested in a caller's transaction
   * (a center command's record) it commits with it.
   */
  removeFromRoster(memberId: string, operator: string): Omit<RemovalResult, 'pendingSlots'> {
    return this.journal.transaction((tx) => {
      if (findMember(tx.db, memberId) === undefined) {
        throw new AgentError(ErrorCode.MemberNotFound, membersText('notFound', { memberId }), { memberId });
      }
      const slots = fingersOf(tx.db, memberId).map((finger) => finger.slot);
      const entry = tx.append('member.removed', { memberId, slots, operator });
      // Backups and escrow rows cascade from the fingers rows.
      deleteFingersOf(tx.db, memberId);
      statement(tx.db, 'DELETE FROM signin_last WHERE member_id = ?').run(memberId);
      statement(tx.db, 'DELETE FROM members WHERE member_id = ?').run(memberId);
      queueSlotDeletions(tx, memberId, slots, entry.seq);
      return { memberId, slots, seq: entry.seq };
    });
  }

  /** Deletes queued slots from the module now if it is connected; returns the slots still waiting. */
  deleteQueuedSlots(): Promise<number[]> {
    return this.deletions.drain();
  }
}
