import { gt521Commands } from '../framing/commands.js';
import { Gt521Nack, nackError } from '../framing/nack.js';
import type { Gt521Protocol } from '../protocol/protocol.js';

/**
 * The GT protocol has no occupancy bitmap, only CheckEnrolled one slot at a time: on a 3000-slot
 * GT-521F52 a full scan is 3000 round trips. GetEnrollCount first says how many to look for, so
 * the scan stops at the last enrolled slot (immediately on an empty module); only a module whose
 * highest enrolled slot is near the top still costs the full scan.
 */
export async function listEnrolledSlots(protocol: Gt521Protocol, capacity: number): Promise<number[]> {
  const countRequest = gt521Commands.getEnrollCount();
  const count = await protocol.command(countRequest);
  if (!count.ack) throw nackError(countRequest.name, count.param);
  const slots: number[] = [];
  for (let slot = 0; slot < capacity && slots.length < count.param; slot += 1) {
    const request = gt521Commands.checkEnrolled(slot);
    const response = await protocol.command(request);
    if (response.ack) slots.push(slot);
    else if (response.param !== Gt521Nack.IsNotUsed) throw nackError(request.name, response.param);
  }
  return slots;
}

/**
 * DeleteID for each slot. An empty slot is already as asked, not an error, so a removal that
 * was interrupted can simply be run again.
 */
export async function deleteSlotRange(protocol: Gt521Protocol, first: number, count: number): Promise<void> {
  for (let slot = first; slot < first + count; slot += 1) {
    const request = gt521Commands.deleteId(slot);
    const response = await protocol.command(request);
    const alreadyEmpty = response.param === Gt521Nack.IsNotUsed;
    if (!response.ack && !alreadyEmpty) throw nackError(request.name, response.param);
  }
}

/** DeleteAll; an already empty module answers "database empty", which is success here. */
export async function deleteAllSlots(protocol: Gt521Protocol): Promise<void> {
  const request = gt521Commands.deleteAll();
  const response = await protocol.command(request);
  if (!response.ack && response.param !== Gt521Nack.DbIsEmpty) throw nackError(request.name, response.param);
}
