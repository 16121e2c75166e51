import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AgentError, ErrorCode } from '../../errors.js';
import { canonicalJson } from '../../journal/canonical.js';
import { keyIdOf } from '../../journal/keyCrypto.js';
import { commandText } from './messages.js';

/**
 * The center signs a command with Ed25519 over the UTF-8 bytes of the canonical JSON
 * (journal/canonical.ts, RFC 8785) of the envelope as sent, without its `signature` member:
 * what the device verifies is exactly what the center wrote, defaults not filled in.
 */
export function signedBytes(envelope: Readonly<Record<string, unknown>>): Buffer {
  const { signature: _signature, ...unsigned } = envelope;
  return Buffer.from(canonicalJson(unsigned), 'utf8');
}

/** The center's key as the device holds it: parsed once, with the id logs and replies name it by. */
export interface CenterKey {
  key: KeyObject;
  /** keyIdOf the DER: the first 16 hex digits of its SHA-256. */
  keyId: string;
}

/**
 * county.centerPublicKey as a key; throws CenterPublicKeyInvalid when it is not an Ed25519 public key
 * in base64 DER (SPKI). A configuration problem, raised when the sync service is built.
 */
export function centerKeyFrom(base64Der: string): CenterKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' });
  } catch (error) {
    throw new AgentError(
      ErrorCode.CenterPublicKeyInvalid,
      commandText('centerKeyUnreadable', { reason: (error as Error).message }),
      {},
      { cause: error },
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    const keyType = key.asymmetricKeyType ?? 'unknown';
    throw new AgentError(ErrorCode.CenterPublicKeyInvalid, commandText('centerKeyType', { keyType }), { keyType });
  }
  return { key, keyId: keyIdOf(base64Der) };
}

export function signatureValid(center: CenterKey, bytes: Buffer, signature: string): boolean {
  try {
    return verify(null, bytes, center.key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
