import {
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';

const envelopeSchema = z.looseObject({
  purpose: z.string(),
  ephemeralPublicKey: z.string(),
  nonce: z.string(),
  ciphertext: z.string(),
  tag: z.string(),
});

/** JSON with object keys sorted (RFC 8785 for the plain values an envelope holds). */
function sortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${sortedJson(record[key])}`)
    .join(',')}}`;
}

/** The county center's key pair, and what it does with an envelope: written from the documented format alone. */
export function countyKeys(): { publicKeyBase64: string; open(envelope: unknown): Buffer } {
  const pair = generateKeyPairSync('x25519');
  const publicDer = pair.publicKey.export({ format: 'der', type: 'spki' });
  return {
    publicKeyBase64: publicDer.toString('base64'),
    open: (envelope) => openAtCounty(envelopeSchema.parse(envelope), pair.privateKey, publicDer),
  };
}

function openAtCounty(
  envelope: z.infer<typeof envelopeSchema>,
  countyPrivate: KeyObject,
  countyPublicDer: Buffer,
): Buffer {
  const ephemeralDer = Buffer.from(envelope.ephemeralPublicKey, 'base64');
  const shared = diffieHellman({
    privateKey: countyPrivate,
    publicKey: createPublicKey({ key: ephemeralDer, format: 'der', type: 'spki' }),
  });
  const key = Buffer.from(
    hkdfSync(
      'sha256',
      shared,
      Buffer.concat([ephemeralDer, countyPublicDer]),
      Buffer.from(`room-agent ${envelope.purpose} v1`),
      32,
    ),
  );
  const { nonce, ciphertext, tag, ...bound } = envelope;
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64'));
  decipher.setAAD(Buffer.from(sortedJson(bound)));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]);
}
