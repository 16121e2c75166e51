import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { canonicalJson, sha256Hex } from './canonical.js';

/** The device's Ed25519 signing key. */
export interface DeviceKey {
  /** First 16 hex digits of SHA-256 over the DER (SPKI) public key. */
  keyId: string;
  /** Base64 of the DER (SPKI) public key: what device_keys and rotation entries carry. */
  publicKey: string;
  privateKey: KeyObject;
}

export function keyIdOf(publicKeyBase64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('hex').slice(0, 16);
}

function fromPrivateKey(privateKey: KeyObject): DeviceKey {
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
  return { keyId: keyIdOf(publicKey), publicKey, privateKey };
}

export function generateDeviceKey(): DeviceKey {
  return fromPrivateKey(generateKeyPairSync('ed25519').privateKey);
}

/** Throws when the PEM is not an Ed25519 private key. */
export function deviceKeyFromPem(pem: string): DeviceKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`expected an Ed25519 private key, found ${privateKey.asymmetricKeyType ?? 'a non-asymmetric key'}`);
  }
  return fromPrivateKey(privateKey);
}

export function privateKeyPem(key: DeviceKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Signs a hex SHA-256 digest (its 32 raw bytes); returns base64. */
export function signDigest(key: DeviceKey, digestHex: string): string {
  return sign(null, Buffer.from(digestHex, 'hex'), key.privateKey).toString('base64');
}

const publicKeyObjects = new Map<string, KeyObject>();

export function verifyDigest(publicKeyBase64: string, digestHex: string, signatureBase64: string): boolean {
  let publicKey = publicKeyObjects.get(publicKeyBase64);
  if (publicKey === undefined) {
    try {
      publicKey = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
    } catch {
      return false;
    }
    publicKeyObjects.set(publicKeyBase64, publicKey);
  }
  try {
    return verify(null, Buffer.from(digestHex, 'hex'), publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Digest of a record that is signed on its own (a checkpoint, a key endorsement). `purpose` keeps
 * such signatures from ever being valid as an entry signature, whose content has no such field.
 */
export function recordDigest(
  purpose: 'checkpoint' | 'key-rotation',
  fields: Record<string, string | number | null>,
): string {
  return sha256Hex(canonicalJson({ ...fields, purpose }));
}
