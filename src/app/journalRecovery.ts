import { SystemClock } from '../clock/systemClock.js';
import { TimesyncdFlagSource } from '../clock/timesyncd.js';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../daemon/bus.js';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { JOURNAL_FILE } from '../journal/journal.js';
import { isJournalDamage } from '../journal/quarantine/damage.js';
import { checkIntegrity } from '../journal/quarantine/integrity.js';
import { quarantineJournal, quarantinePending } from '../journal/quarantine/quarantine.js';
import { latestQuarantine } from '../journal/quarantine/record.js';
import type { Logger } from '../log.js';
import { join } from 'node:path';
import { openCore, type Core } from './core.js';

const t = defineMessages({
  stillDamaged: {
    zh: '日志文件 {file} 已隔离并重建，但新文件仍然损坏（{problem}）：存储卡很可能有故障。请技术员更换存储卡，并把 {dir}/quarantine 交给县里',
    en: 'the journal {file} was quarantined and rebuilt, but the new file is damaged too ({problem}): the storage card is most likely failing. A technician must replace the card and hand {dir}/quarantine to the county',
  },
});

/**
 * A new journal damaged again within this time of the last quarantine means the storage itself is
 * failing: another new file would only loop, so a technician is called instead.
 */
const REPEAT_WINDOW_MS = 10 * 60_000;

/**
 * Quarantines the damaged journal (quarantine.ts) once nothing holds it open: found at start, or
 * by a write (the first append at start, or any write while running), after which the daemon
 * starts again on the new journal.
 */
export function quarantineDamaged(config: Config, reason: string, logger: Logger): void {
  const clock = new SystemClock(new TimesyncdFlagSource(config.clock.syncFlagPath));
  const last = latestQuarantine(config.device.dataDir);
  if (last !== undefined && Math.abs(clock.read().wallMs - last.at) < REPEAT_WINDOW_MS)
    throw stillDamaged(config, new Error(reason));
  quarantineJournal({
    dataDir: config.device.dataDir,
    reason,
    clock,
    logger: logger.child({ module: 'journal-quarantine' }),
  });
}

/** What SQLite's quick check found, when the file opened but its pages do not add up. */
function quickCheckProblem(core: Core): string | undefined {
  const report = checkIntegrity(core.journal.db, 'quick');
  if (report.ok) return undefined;
  const named = report.damaged.length === 0 ? '' : ` (${report.damaged.join(', ')})`;
  return `PRAGMA quick_check failed${named}: ${report.problems.slice(0, 3).join('; ')}`;
}

function stillDamaged(config: Config, error: unknown): AgentError {
  const dir = config.device.dataDir;
  const file = join(dir, JOURNAL_FILE);
  return new AgentError(
    ErrorCode.JournalQuarantineFailed,
    t('stillDamaged', { file, dir, problem: (error as Error).message }),
    { file },
    { cause: error },
  );
}

/**
 * Opens the core for `room-agent run`. A damaged journal (SQLite reports a corrupt page or no
 * database at all, quick_check fails, the journal_meta row is missing) is quarantined and the
 * daemon runs on the new file that continues it: sign-ins must go on being recorded. A full or
 * read-only disk is no damage and is thrown as it is. When the quarantine cannot be written, or
 * the new file is damaged as well, a technician must act (JournalQuarantineFailed, exit 78).
 */
export function openCoreOrQuarantine(config: Config, logger: Logger, bus: EventBus): Core {
  if (quarantinePending(config.device.dataDir))
    quarantineDamaged(config, 'an interrupted quarantine was finished', logger);
  let reason: string;
  try {
    const core = openCore(config, logger, bus, 'create');
    const problem = quickCheckProblem(core);
    if (problem === undefined) return core;
    core.journal.close();
    reason = problem;
  } catch (error) {
    if (!isJournalDamage(error)) throw error;
    reason = (error as Error).message;
  }
  quarantineDamaged(config, reason, logger);
  let core: Core;
  try {
    core = openCore(config, logger, bus, 'create');
  } catch (error) {
    throw isJournalDamage(error) ? stillDamaged(config, error) : error;
  }
  const problem = quickCheckProblem(core);
  if (problem === undefined) return core;
  core.journal.close();
  throw stillDamaged(config, new Error(problem));
}
