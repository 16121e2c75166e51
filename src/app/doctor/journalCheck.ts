import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineMessages } from '../../i18n.js';
import { readFullVerification } from '../../journal/backgroundVerify.js';
import { JOURNAL_FILE } from '../../journal/journal.js';
import { checkIntegrity } from '../../journal/quarantine/integrity.js';
import { verifyJournal } from '../../journal/verify.js';
import { openDatabase, type Db } from '../../store/database.js';
import { wallTimeText } from '../../util/wallTime.js';
import type { CheckOutcome } from './runner.js';

const t = defineMessages({
  none: {
    zh: '日志：尚未创建（守护进程首次启动时创建）',
    en: 'journal: not created yet (the daemon creates it when it first starts)',
  },
  ok: {
    zh: '日志完好：seq {from}…{to} 链条无误，SQLite 快速检查通过；上次完整校验 {last}',
    en: 'journal sound: chain seq {from}…{to} intact, SQLite quick check ok; last full verification {last}',
  },
  never: { zh: '尚未进行', en: 'none yet' },
  damaged: { zh: '日志文件损坏（SQLite：{problem}）', en: 'the journal file is damaged (SQLite: {problem})' },
  damagedFix: {
    zh: '重启守护进程（sudo systemctl restart room-agent），它会隔离损坏的文件并继续记录；把 quarantine 目录交给县里',
    en: 'restart the daemon (sudo systemctl restart room-agent): it quarantines the damaged file and records on; hand the quarantine folder to the county',
  },
  broken: {
    zh: '日志链条断裂于 seq {seq}：{reason}（上次完整校验 {last}，当时 seq {from}…{to} 完好）',
    en: 'journal chain broken at seq {seq}: {reason} (last full verification {last}, seq {from}…{to} sound then)',
  },
  brokenNever: {
    zh: '日志链条断裂于 seq {seq}：{reason}（尚未进行过完整校验）',
    en: 'journal chain broken at seq {seq}: {reason} (no full verification before)',
  },
  brokenFix: {
    zh: '日志在上次校验后被改动过：不要再修改该文件，运行 room-agent journal verify 并把数据目录的副本交给县里',
    en: 'the journal was changed after it was verified: leave the file alone, run room-agent journal verify and hand a copy of the data folder to the county',
  },
  unreadable: { zh: '日志无法打开：{error}', en: 'the journal cannot be opened: {error}' },
});

/**
 * SQLite's quick check, then the whole chain walked again (read-only: nothing is recorded), said
 * against the last full verification the daemon recorded: a break found now in a range found
 * sound then was made in between.
 */
export function journalCheckOn(db: Db): CheckOutcome {
  const integrity = checkIntegrity(db, 'quick');
  if (!integrity.ok)
    return { status: 'fail', text: t('damaged', { problem: integrity.problems[0] ?? '' }), fix: t('damagedFix') };
  const full = readFullVerification(db);
  const last = full === undefined ? t('never') : wallTimeText(full.finishedWallMs);
  const result = verifyJournal(db, 'full');
  if (result.ok) return { status: 'ok', text: t('ok', { from: result.checkedFrom, to: result.checkedTo, last }) };
  const text =
    full === undefined || !full.result.ok
      ? t('brokenNever', { seq: result.firstBrokenSeq, reason: result.reason })
      : t('broken', {
          seq: result.firstBrokenSeq,
          reason: result.reason,
          last,
          from: full.result.checkedFrom,
          to: full.result.checkedTo,
        });
  return { status: 'fail', text, fix: t('brokenFix') };
}

/** The journal file of a data folder, opened read-only for the check and closed again. */
export function journalCheck(dataDir: string): CheckOutcome {
  const file = join(dataDir, JOURNAL_FILE);
  if (!existsSync(file)) return { status: 'na', text: t('none') };
  let db: Db;
  try {
    db = openDatabase(file, { access: 'read' });
  } catch (error) {
    return { status: 'fail', text: t('unreadable', { error: (error as Error).message }), fix: t('damagedFix') };
  }
  try {
    return journalCheckOn(db);
  } finally {
    db.close();
  }
}
