import { KeyChain, type KeyRecord } from '../journal/keyChain.js';
import type { Room } from './room.js';

/** A key list that names another first key than the one the center trusted on first use. */
export interface FirstKeyConflict {
  seq: number;
  reason: string;
}

/**
 * Merges a key list from the room's state message into what the center holds. The first key is
 * trusted on first use; a different first key later (a reinstalled device, or another device using
 * this id) is a conflict, never adopted. Later keys join the list and count only when endorsed by
 * their predecessor (KeyChain decides). Returns whether the list grew.
 */
export function mergeKeys(room: Room, incoming: readonly KeyRecord[]): { grew: boolean; conflict?: FirstKeyConflict } {
  const trustedFirst = room.keys.find((key) => key.previousKeyId === null);
  const offeredFirst = incoming.find((key) => key.previousKeyId === null);
  if (trustedFirst !== undefined && offeredFirst !== undefined && offeredFirst.keyId !== trustedFirst.keyId) {
    return {
      grew: false,
      conflict: {
        seq: Math.max(1, offeredFirst.firstSeq),
        reason: `the room now presents first key ${offeredFirst.keyId}, but key ${trustedFirst.keyId} was trusted on first use (a reinstalled device, or another device using this id)`,
      },
    };
  }
  const known = new Set(room.keys.map((key) => key.keyId));
  const added = incoming.filter((key) => !known.has(key.keyId));
  if (added.length === 0) return { grew: false };
  room.keys = [...room.keys, ...added].sort((a, b) => a.firstSeq - b.firstSeq);
  room.chain = new KeyChain(room.keys);
  return { grew: true };
}
