import { allFingers } from '../members/fingerRows.js';
import { pendingSlots } from '../members/slotDeletions.js';
import type { Db } from '../store/database.js';

/**
 * The lowest slot that is free on the module and in the database: a slot whose template was
 * wiped but is still backed up stays reserved for the restore, and a removed member's slot
 * stays reserved until the module deleted it.
 */
export function chooseFreeSlot(db: Db, onModule: readonly number[], capacity: number): number | undefined {
  const used = new Set([...onModule, ...allFingers(db).map((finger) => finger.slot), ...pendingSlots(db)]);
  for (let slot = 0; slot < capacity; slot++) {
    if (!used.has(slot)) return slot;
  }
  return undefined;
}
