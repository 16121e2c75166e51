import type { KeyChain } from './keyChain.js';
import { recordDigest, signDigest, verifyDigest, type DeviceKey } from './keyCrypto.js';
import type { Checkpoint, JournalHead } from './types.js';

function checkpointDigest(checkpoint: Omit<Checkpoint, 'signature'>): string {
  return recordDigest('checkpoint', {
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    wallMs: checkpoint.wallMs,
    keyId: checkpoint.keyId,
  });
}

/** The device's signed statement that it pruned every entry up to and including `through`. */
export function makeCheckpoint(key: DeviceKey, through: JournalHead, wallMs: number): Checkpoint {
  const unsigned = { seq: through.seq, hash: through.hash, wallMs, keyId: key.keyId };
  return { ...unsigned, signature: signDigest(key, checkpointDigest(unsigned)) };
}

/** Why the checkpoint cannot be trusted, or undefined when it can. */
export function checkpointProblem(checkpoint: Checkpoint, keys: KeyChain): string | undefined {
  const signer = keys.trustedKey(checkpoint.keyId);
  if (signer === undefined)
    return `the checkpoint at seq ${checkpoint.seq} is signed by key ${checkpoint.keyId}, which is not a trusted device key`;
  if (!verifyDigest(signer.publicKey, checkpointDigest(checkpoint), checkpoint.signature)) {
    return `the checkpoint at seq ${checkpoint.seq} has a bad signature: it was not written by a prune of this device`;
  }
  return undefined;
}
