import { z } from 'zod';
import type { ControlRegistry } from '../control/registry.js';
import type { Logger } from '../log.js';
import type { ScannerAccess } from '../members/scannerAccess.js';
import type { MemberJournal } from '../members/store.js';
import { backupDocument, parseBackupDocument } from './backupFile.js';
import { fingerBackups } from './backupRows.js';
import type { ModuleRestore } from './restore.js';
import { skipReasonSchema } from './restorePlan.js';
import { wipeModule, type WipeResult } from './wipe.js';

const operatorSchema = z.string().trim().min(1).max(64);

export const templateMethodParams = {
  backup: z.strictObject({}),
  restore: z.strictObject({
    operator: operatorSchema,
    /** A backup document read by the CLI from `--from FILE`; without it, the device's own backups. */
    backup: z.strictObject({ file: z.string(), document: z.unknown() }).optional(),
  }),
  wipe: z.strictObject({ operator: operatorSchema }),
};

export const restoreResultSchema = z.strictObject({
  slots: z.array(z.number().int()),
  skipped: z.array(z.strictObject({ slot: z.number().int(), memberId: z.string(), reason: skipReasonSchema })),
  moduleFamily: z.string(),
  templateSize: z.number().int(),
  seq: z.number().int(),
});

export const wipeResultSchema = z.strictObject({
  cleared: z.number().int(),
  backups: z.number().int(),
  seq: z.number().int(),
}) satisfies z.ZodType<WipeResult>;

export interface TemplateMethodDeps {
  journal: MemberJournal;
  scanner: ScannerAccess;
  restore: ModuleRestore;
  deviceId: string;
  logger: Logger;
}

/** `scanner backup|restore|wipe` over the control socket. */
export function registerTemplateMethods(registry: ControlRegistry, deps: TemplateMethodDeps): void {
  registry.register('scanner.backup', templateMethodParams.backup, () =>
    backupDocument(fingerBackups(deps.journal.db), deps.deviceId, new Date()),
  );
  registry.register('scanner.restore', templateMethodParams.restore, ({ operator, backup }) =>
    deps.restore.restore(
      backup === undefined
        ? { kind: 'database', backups: fingerBackups(deps.journal.db) }
        : { kind: 'file', backups: parseBackupDocument(backup.document, backup.file) },
      operator,
    ),
  );
  registry.register('scanner.wipe', templateMethodParams.wipe, ({ operator }) => wipeModule(deps, operator));
}
