import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { deviceKeyFromPem, type DeviceKey } from '../journal/keyCrypto.js';
import { fileProblem } from '../util/fileProblem.js';
import { signedBytes } from '../sync/commands/signature.js';
import type { CommandEnvelope } from '../sync/protocol/messages.js';

const t = defineMessages({
  unreadable: {
    zh: '无法读取中心签名密钥 {file}：{reason}',
    en: 'cannot read the center signing key {file}: {reason}',
  },
  notEd25519: {
    zh: '{file} 不是 Ed25519 私钥（PEM）：{reason}。可用 room-agent center keygen --out FILE 生成',
    en: '{file} is not an Ed25519 private key (PEM): {reason}; create one with room-agent center keygen --out FILE',
  },
});

/**
 * The center's Ed25519 signing key has the shape of a device key (journal/keyCrypto.ts): its
 * `publicKey` (base64 DER SPKI) is what every room's county.centerPublicKey holds.
 */
export type CenterSigningKey = DeviceKey;

export function loadCenterKey(file: string): CenterSigningKey {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AgentError(
      ErrorCode.InputUnreadable,
      t('unreadable', { file, reason: fileProblem(error, 'read') }),
      { file },
      { cause: error },
    );
  }
  try {
    return deviceKeyFromPem(pem);
  } catch (error) {
    throw new AgentError(
      ErrorCode.CenterKeyInvalid,
      t('notEd25519', { file, reason: (error as Error).message }),
      { file },
      { cause: error },
    );
  }
}

/**
 * The command signature, base64 Ed25519 over the bytes a room verifies (sync/commands/signature.ts
 * signedBytes: the canonical JSON of the envelope without `signature`).
 */
export function signEnvelope(envelope: Omit<CommandEnvelope, 'signature'>, key: CenterSigningKey): string {
  return sign(null, signedBytes(envelope), key.privateKey).toString('base64');
}
