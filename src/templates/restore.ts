import { DriverErrorCode, isDriverError } from '../../drivers/common/errors.js';
import type { FingerprintScanner, ScannerInfo } from '../../drivers/scanner.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { insertFinger } from '../members/fingerRows.js';
import type { ScannerAccess } from '../members/scannerAccess.js';
import { clearSlotDeletions } from '../members/slotDeletions.js';
import type { MemberJournal } from '../members/store.js';
import { insertBackup } from './backupRows.js';
import { templatesText } from './messages.js';
import { planRestore, type RestoreEntry, type RestoreSource, type SkippedEntry } from './restorePlan.js';

export interface RestoreResult {
  slots: number[];
  skipped: SkippedEntry[];
  moduleFamily: string;
  templateSize: number;
  seq: number;
}

export interface ModuleRestoreDeps {
  journal: MemberJournal;
  scanner: ScannerAccess;
  templateKey: () => Buffer;
  logger: Logger;
}

const SCANNER_WAIT_MS = 10_000;

/**
 * Writes backed-up templates into an empty module (a replacement, or this one after a wipe) at
 * their old slots, so the fingers table stays right without a change, then checks that the
 * module holds exactly those slots. Journals `scanner.restored`.
 */
export class ModuleRestore {
  constructor(private readonly deps: ModuleRestoreDeps) {}

  async restore(source: RestoreSource, operator: string): Promise<RestoreResult> {
    const { journal } = this.deps;
    const { entries, skipped } = planRestore(journal.db, source, this.deps.templateKey());
    if (entries.length === 0) {
      throw new AgentError(ErrorCode.NothingToRestore, templatesText('nothing', { source: source.kind }), {
        source: source.kind,
        skipped: skipped.length,
      });
    }
    return this.deps.scanner.exclusive(
      'restore templates',
      async (module, info) => {
        const templateSize = checkCompatible(entries, info);
        const present = await module.enrolledSlots();
        if (present.length > 0)
          throw new AgentError(ErrorCode.ModuleNotEmpty, templatesText('notEmpty', { count: present.length }), {
            count: present.length,
          });
        await writeAll(module, entries);
        await verifySlots(module, entries);
        const slots = entries.map((entry) => entry.backup.slot);
        const seq = journal.transaction((tx) => {
          const entry = tx.append('scanner.restored', {
            slots,
            operator,
            source: source.kind,
            moduleFamily: info.family,
            templateSize,
            skipped: skipped.map((s) => ({ ...s })),
          });
          for (const { backup, record } of entries) {
            if (!record) continue;
            insertFinger(tx.db, { ...backup, moduleFamily: info.family, enrolledSeq: entry.seq });
            insertBackup(tx.db, backup.slot, backup.sealed);
          }
          // The module was empty: no removed member's template is left on it.
          clearSlotDeletions(tx.db);
          return entry.seq;
        });
        this.deps.logger.info(
          { slots: slots.length, skipped: skipped.length, operator, source: source.kind },
          'restored templates into the module',
        );
        return { slots, skipped, moduleFamily: info.family, templateSize, seq };
      },
      SCANNER_WAIT_MS,
    );
  }
}

/** Returns the one template size of the backups; throws IncompatibleModule for another family, size or a too small module. */
function checkCompatible(entries: readonly RestoreEntry[], info: ScannerInfo): number {
  for (const { backup } of entries) {
    if (backup.moduleFamily !== info.family) {
      throw new AgentError(
        ErrorCode.IncompatibleModule,
        templatesText('otherFamily', { backupFamily: backup.moduleFamily, moduleFamily: info.family }),
        {
          backupFamily: backup.moduleFamily,
          moduleFamily: info.family,
        },
      );
    }
    // The module's size is known up front for GT; for R30x once a template was read.
    const moduleSize = info.templateSize ?? entries[0]!.backup.templateSize;
    if (backup.templateSize !== moduleSize) {
      throw new AgentError(
        ErrorCode.IncompatibleModule,
        templatesText('otherSize', { backupSize: backup.templateSize, moduleSize }),
        {
          backupSize: backup.templateSize,
          moduleSize,
        },
      );
    }
    if (backup.slot >= info.capacity) {
      throw new AgentError(
        ErrorCode.IncompatibleModule,
        templatesText('slotBeyond', { slot: backup.slot, capacity: info.capacity }),
        { slot: backup.slot, capacity: info.capacity },
      );
    }
  }
  return entries[0]!.backup.templateSize;
}

async function writeAll(module: FingerprintScanner, entries: readonly RestoreEntry[]): Promise<void> {
  for (const [index, { backup, template }] of entries.entries()) {
    try {
      await module.writeTemplate(backup.slot, template);
    } catch (error) {
      if (!isDriverError(error)) throw error;
      // An R30x module does not say its template size until it holds one: a model with other
      // templates shows itself by refusing the first.
      const refused =
        index === 0 &&
        (isDriverError(error, DriverErrorCode.BadTemplate) || isDriverError(error, DriverErrorCode.ModuleError));
      if (refused) {
        throw new AgentError(
          ErrorCode.IncompatibleModule,
          templatesText('refusedTemplate', { backupSize: backup.templateSize, reason: error.message }),
          { backupSize: backup.templateSize },
          { cause: error },
        );
      }
      throw new AgentError(
        ErrorCode.RestoreIncomplete,
        templatesText('interrupted', {
          slot: backup.slot,
          reason: error.message,
          written: index,
          total: entries.length,
        }),
        { slot: backup.slot, written: index, total: entries.length },
        { cause: error },
      );
    }
  }
}

async function verifySlots(module: FingerprintScanner, entries: readonly RestoreEntry[]): Promise<void> {
  const expected = new Set(entries.map((entry) => entry.backup.slot));
  const found = new Set(await module.enrolledSlots());
  const missing = [...expected].filter((slot) => !found.has(slot));
  const extra = [...found].filter((slot) => !expected.has(slot));
  if (missing.length > 0 || extra.length > 0) {
    throw new AgentError(
      ErrorCode.RestoreIncomplete,
      templatesText('mismatch', {
        found: found.size,
        expected: expected.size,
        missing: missing.join(', ') || '-',
        extra: extra.join(', ') || '-',
      }),
      { missing, extra },
    );
  }
}
