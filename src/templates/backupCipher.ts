import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AgentError, ErrorCode } from '../errors.js';

/**
 * The device's own backup of a module template: AES-256-GCM under the template key, which lives
 * in <dataDir>/keys/scanner.json and never in the database. The additional data binds the
 * ciphertext to its slot, module family and size, so a row moved to another slot, or offered to
 * another kind of module, fails authentication instead of restoring the wrong thing.
 */
export interface TemplateContext {
  slot: number;
  moduleFamily: string;
  templateSize: number;
}

export interface SealedTemplate {
  /** Which template key sealed it (see templateKeyId): a backup from another device is named as such. */
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A public fingerprint of the key (hex SHA-256 prefix), safe to store beside the ciphertext. */
export function templateKeyId(key: Buffer): string {
  return createHash('sha256').update('room-agent template key id\0').update(key).digest('hex').slice(0, 16);
}

function additionalData({ slot, moduleFamily, templateSize }: TemplateContext): Buffer {
  return Buffer.from(
    `room-agent template backup v1\0slot=${slot}\0family=${moduleFamily}\0size=${templateSize}`,
    'utf8',
  );
}

function requireKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) {
    throw new AgentError(ErrorCode.Internal, `the template key must be ${KEY_BYTES} bytes, got ${key.length}`, {
      bytes: key.length,
    });
  }
}

export function sealTemplate(key: Buffer, template: Buffer, context: TemplateContext): SealedTemplate {
  requireKey(key);
  if (template.length !== context.templateSize) {
    throw new AgentError(
      ErrorCode.Internal,
      `template of ${template.length} bytes sealed as ${context.templateSize} bytes`,
      { slot: context.slot },
    );
  }
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(context));
  const ciphertext = Buffer.concat([cipher.update(template), cipher.final()]);
  return { keyId: templateKeyId(key), nonce, ciphertext, tag: cipher.getAuthTag() };
}

/** Throws BackupUnreadable when the key is another device's or the backup was altered. */
export function openTemplate(key: Buffer, sealed: SealedTemplate, context: TemplateContext): Buffer {
  requireKey(key);
  const keyId = templateKeyId(key);
  if (sealed.keyId !== keyId) {
    throw new AgentError(
      ErrorCode.BackupUnreadable,
      `the backup of slot ${context.slot} was made under template key ${sealed.keyId}, but this device's key is ${keyId}: it belongs to another device or to keys that were replaced`,
      { slot: context.slot, keyId: sealed.keyId, deviceKeyId: keyId },
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(context));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch (error) {
    throw new AgentError(
      ErrorCode.BackupUnreadable,
      `the backup of slot ${context.slot} does not authenticate: it was altered or does not belong to this slot and module (${context.moduleFamily}, ${context.templateSize} bytes)`,
      { slot: context.slot },
      { cause: error },
    );
  }
}
