import { KEY_ROTATED_EVENT, keyRotationPayloadSchema, type KeyChain } from '../journal/keyChain.js';
import { verifyDigest } from '../journal/keyCrypto.js';
import type { JournalEntry } from '../journal/types.js';

/**
 * The verdict on one entry at the end of a room's verified prefix: `ok`, `broken` (the entry
 * fails a rule of journal/verify.ts), or `pending` (the center cannot judge it yet because it
 * has not learned the key that signs it; the room's next state message names it).
 */
export type EntryVerdict = { kind: 'ok' } | { kind: 'broken'; reason: string } | { kind: 'pending'; reason: string };

const OK: EntryVerdict = { kind: 'ok' };

/** The entry before the one judged: its hash is null at a pruned start, where no predecessor is held. */
export interface Predecessor {
  seq: number;
  hash: string | null;
}

/**
 * The device's own rules (journal/verify.ts) applied to an entry the center received: the prevHash
 * linked to the entry before, the signature by the key in force at that seq, and a key rotation
 * introducing exactly the endorsed key that signs from the next seq. `entry.hash` must be one the
 * center computed itself from the entry's content (batches carry no hashes: eventBatch.ts rebuilds
 * them on decode, prefix.ts entryReader from stored rows), so it is not hashed again here: a
 * changed entry is one whose signature fails. `keys` holds the room's keys; signatures are
 * checked against cached KeyObjects (verifyDigest).
 */
export function checkEntry(entry: JournalEntry, previous: Predecessor, keys: KeyChain | undefined): EntryVerdict {
  const seq = entry.seq;
  if (previous.hash !== null && entry.prevHash !== previous.hash) {
    const before = previous.seq === 0 ? 'the start of the journal' : `entry ${previous.seq}`;
    return { kind: 'broken', reason: `entry ${seq} does not follow ${before}: its prevHash does not match` };
  }
  if (keys === undefined)
    return { kind: 'pending', reason: 'no signing key of the room is known yet (its state message names them)' };
  const signature = signatureVerdict(entry, keys);
  if (signature.kind !== 'ok' || entry.type !== KEY_ROTATED_EVENT) return signature;
  return rotationVerdict(entry, keys);
}

function signatureVerdict(entry: JournalEntry, keys: KeyChain): EntryVerdict {
  const seq = entry.seq;
  const inForce = keys.keyInForce(seq);
  if (inForce === undefined || entry.keyId !== inForce.keyId) {
    const refused = keys.refused.get(entry.keyId);
    if (refused !== undefined)
      return { kind: 'broken', reason: `entry ${seq} is signed by a key that is not trusted: ${refused}` };
    if (keys.trustedKey(entry.keyId) !== undefined) {
      return {
        kind: 'broken',
        reason: `entry ${seq} is signed by key ${entry.keyId}, but key ${inForce?.keyId ?? '(none)'} is in force at that seq`,
      };
    }
    return { kind: 'broken', reason: `entry ${seq} is signed by key ${entry.keyId}, which is not a key of this room` };
  }
  if (!verifyDigest(inForce.publicKey, entry.hash, entry.signature)) {
    // The hash covers seq and prevHash too: an entry dropped or moved within its batch shifts the ones after it.
    return {
      kind: 'broken',
      reason: `entry ${seq} has a bad signature (key ${inForce.keyId}): it, or its place in the chain, was changed without the device key`,
    };
  }
  return OK;
}

/**
 * A rotation must name a key that the room's key list holds, endorsed by the rotating key, from
 * the next seq on. A key the center has not heard of yet is waited for, not refused: the room
 * sends its key list in its state message at every connect.
 */
function rotationVerdict(entry: JournalEntry, keys: KeyChain): EntryVerdict {
  const seq = entry.seq;
  const parsed = keyRotationPayloadSchema.safeParse(entry.payload);
  if (!parsed.success)
    return { kind: 'broken', reason: `entry ${seq} rotates the device key, but its payload does not name a key` };
  const { keyId } = parsed.data;
  const introduced = keys.trustedKey(keyId);
  if (introduced === undefined) {
    const refused = keys.refused.get(keyId);
    if (refused !== undefined)
      return { kind: 'broken', reason: `entry ${seq} rotates to a key that is not trusted: ${refused}` };
    return { kind: 'pending', reason: `entry ${seq} rotates to key ${keyId}, which the room has not announced yet` };
  }
  if (
    introduced.firstSeq !== seq + 1 ||
    introduced.publicKey !== parsed.data.publicKey ||
    introduced.previousKeyId !== entry.keyId
  ) {
    return {
      kind: 'broken',
      reason: `entry ${seq} rotates the device key, but the room's keys hold no matching endorsed key from seq ${seq + 1}`,
    };
  }
  return OK;
}
