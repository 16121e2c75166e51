import { z } from 'zod';
import { AgentError, ErrorCode } from '../errors.js';
import { fingerNameSchema, memberIdSchema, moduleFamilySchema } from '../members/schema.js';
import { issueSummary } from '../util/zodIssues.js';
import type { FingerBackup } from './backupRows.js';

/**
 * `room-agent scanner backup --out FILE`: the device's template backups exactly as stored, still
 * sealed under the device's template key (which the file does not contain), with the fingers
 * metadata needed to put them back. It restores only on the device that wrote it.
 */
export const BACKUP_FORMAT = 'room-agent-template-backup';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

const entrySchema = z.strictObject({
  memberId: memberIdSchema,
  finger: fingerNameSchema,
  slot: z.number().int().nonnegative(),
  moduleFamily: moduleFamilySchema,
  templateSize: z.number().int().positive(),
  enrolledSeq: z.number().int().positive(),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  nonce: base64,
  ciphertext: base64,
  tag: base64,
});

export const backupDocumentSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(1),
  deviceId: z.string(),
  createdAt: z.iso.datetime(),
  entries: z.array(entrySchema),
});

export type BackupDocument = z.infer<typeof backupDocumentSchema>;

export function backupDocument(backups: readonly FingerBackup[], deviceId: string, now: Date): BackupDocument {
  return {
    format: BACKUP_FORMAT,
    version: 1,
    deviceId,
    createdAt: now.toISOString(),
    entries: backups.map(({ sealed, ...finger }) => ({
      ...finger,
      keyId: sealed.keyId,
      nonce: sealed.nonce.toString('base64'),
      ciphertext: sealed.ciphertext.toString('base64'),
      tag: sealed.tag.toString('base64'),
    })),
  };
}

/** Throws BackupUnreadable naming what is wrong with the file. */
export function parseBackupDocument(json: unknown, file: string): FingerBackup[] {
  const parsed = backupDocumentSchema.safeParse(json);
  if (!parsed.success) {
    throw new AgentError(
      ErrorCode.BackupUnreadable,
      `${file} is not a room-agent template backup: ${issueSummary(parsed.error.issues, json)}`,
      { file },
    );
  }
  return parsed.data.entries.map(({ keyId, nonce, ciphertext, tag, ...finger }) => ({
    ...finger,
    sealed: {
      keyId,
      nonce: Buffer.from(nonce, 'base64'),
      ciphertext: Buffer.from(ciphertext, 'base64'),
      tag: Buffer.from(tag, 'base64'),
    },
  }));
}
