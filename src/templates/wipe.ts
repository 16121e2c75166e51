import { AgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { ScannerAccess } from '../members/scannerAccess.js';
import { clearSlotDeletions } from '../members/slotDeletions.js';
import type { MemberJournal } from '../members/store.js';
import { fingerBackups } from './backupRows.js';
import { templatesText } from './messages.js';

export interface WipeResult {
  /** How many templates the module held. */
  cleared: number;
  /** How many backups remain for `scanner restore`. */
  backups: number;
  seq: number;
}

const SCANNER_WAIT_MS = 10_000;

/**
 * Empties the module (before a restore, or to hand a module on) and journals `scanner.wiped`.
 * The fingers rows and backups stay, so `scanner restore` puts everyone back; until then their
 * fingers simply find no match.
 */
export async function wipeModule(
  deps: { journal: MemberJournal; scanner: ScannerAccess; logger: Logger },
  operator: string,
): Promise<WipeResult> {
  const { journal, scanner, logger } = deps;
  return scanner.exclusive(
    'wipe the module',
    async (module) => {
      const before = await module.enrolledSlots();
      await module.wipe();
      const left = await module.enrolledSlots();
      if (left.length > 0)
        throw new AgentError(ErrorCode.ModuleNotEmpty, templatesText('wipeLeft', { count: left.length }), {
          left: left.length,
        });
      const seq = journal.transaction((tx) => {
        clearSlotDeletions(tx.db);
        return tx.append('scanner.wiped', { cleared: before.length, operator }).seq;
      });
      const backups = fingerBackups(journal.db).length;
      logger.info({ cleared: before.length, backups, operator }, 'emptied the module');
      return { cleared: before.length, backups, seq };
    },
    SCANNER_WAIT_MS,
  );
}
