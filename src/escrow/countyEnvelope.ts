import {
  createCipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { AgentError, ErrorCode } from '../errors.js';
import { canonicalJson } from '../journal/canonical.js';
import type { JsonValue } from '../journal/types.js';

/**
 * Data that leaves the device only for the county, sealed to the county's X25519 key:
 * an ephemeral X25519 key agreement, HKDF-SHA256 (salt = ephemeral ‖ county public key, both
 * DER SPKI; info = "room-agent <purpose> v1") to a 256-bit key, then AES-256-GCM with a random
 * 12-byte nonce. The additional data is the canonical JSON (RFC 8785, as journal entries) of
 * every envelope field except nonce, ciphertext and tag, so the header (e.g. the module family
 * and template size) cannot be altered without the center noticing.
 */
export const ENVELOPE_FORMAT = 'room-agent-county-envelope';
export const ENVELOPE_ALGORITHM = 'X25519-HKDF-SHA256-AES-256-GCM';

export interface CountyEnvelope {
  format: typeof ENVELOPE_FORMAT;
  version: 1;
  algorithm: typeof ENVELOPE_ALGORITHM;
  /** What is sealed, e.g. "template-escrow"; also part of the HKDF info. */
  purpose: string;
  /** Clear-text facts the center needs before opening it (bound by the additional data). */
  header: Record<string, JsonValue>;
  /** Base64 DER SPKI. */
  ephemeralPublicKey: string;
  nonce: string;
  ciphertext: string;
  tag: string;
}

function additionalData(envelope: Omit<CountyEnvelope, 'nonce' | 'ciphertext' | 'tag'>): Buffer {
  const { format, version, algorithm, purpose, header, ephemeralPublicKey } = envelope;
  return Buffer.from(canonicalJson({ format, version, algorithm, purpose, header, ephemeralPublicKey }), 'utf8');
}

function hkdfInfo(purpose: string): Buffer {
  return Buffer.from(`room-agent ${purpose} v1`, 'utf8');
}

/** county.escrowPublicKey (base64 DER SPKI) as a key; throws EscrowKeyInvalid for anything but X25519. */
export function countyPublicKey(base64Der: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' });
  } catch (error) {
    throw new AgentError(
      ErrorCode.EscrowKeyInvalid,
      `county.escrowPublicKey is not a DER (SPKI) public key in base64: ${(error as Error).message}; ask the county for its escrow key`,
      {},
      { cause: error },
    );
  }
  if (key.asymmetricKeyType !== 'x25519') {
    throw new AgentError(
      ErrorCode.EscrowKeyInvalid,
      `county.escrowPublicKey is a ${key.asymmetricKeyType ?? 'unknown'} key, but escrow needs an X25519 key; ask the county for its escrow key`,
      {
        keyType: key.asymmetricKeyType ?? 'unknown',
      },
    );
  }
  return key;
}

export function sealForCounty(
  countyKey: KeyObject,
  purpose: string,
  header: Record<string, JsonValue>,
  plaintext: Buffer,
): CountyEnvelope {
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralDer = ephemeral.publicKey.export({ format: 'der', type: 'spki' });
  const countyDer = countyKey.export({ format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: countyKey });
  const key = Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralDer, countyDer]), hkdfInfo(purpose), 32));
  const unsealed = {
    format: ENVELOPE_FORMAT,
    version: 1,
    algorithm: ENVELOPE_ALGORITHM,
    purpose,
    header,
    ephemeralPublicKey: ephemeralDer.toString('base64'),
  } as const;
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(additionalData(unsealed));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    ...unsealed,
    nonce: nonce.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}
