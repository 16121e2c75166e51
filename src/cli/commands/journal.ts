import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readBootId, SystemClock } from '../../clock/systemClock.js';
import { TimesyncdFlagSource } from '../../clock/timesyncd.js';
import { acquireInstanceLock } from '../../daemon/instanceLock.js';
import { ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { exportJournal } from '../../journal/export.js';
import { Journal, JOURNAL_FILE } from '../../journal/journal.js';
import { isJournalDamage } from '../../journal/quarantine/damage.js';
import { checkIntegrity, type IntegrityReport } from '../../journal/quarantine/integrity.js';
import { latestQuarantine } from '../../journal/quarantine/record.js';
import { verifyJournal } from '../../journal/verify.js';
import { createSilentLogger } from '../../log.js';
import { openDatabase, type Db } from '../../store/database.js';
import { parseCommandArgs, parseSeq } from '../args.js';
import { fileProblem } from '../../util/fileProblem.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli, type ConfigOptionValues } from '../configOption.js';

const t = defineMessages({
  ok: { zh: '日志完好：seq {from}…{to}，共 {count} 条', en: 'journal OK: seq {from}…{to}, {count} entries' },
  empty: { zh: '日志完好：尚无记录', en: 'journal OK: no entries yet' },
  broken: { zh: '日志已损坏，断点 seq {seq}：{reason}', en: 'journal BROKEN at seq {seq}: {reason}' },
  damaged: {
    zh: '日志文件已损坏（SQLite 层面）：{what}',
    en: 'journal file DAMAGED (SQLite): {what}',
  },
  damagedIn: { zh: '损坏位置：{objects}', en: 'damaged: {objects}' },
  damagedAdvice: {
    zh: '处理办法：重启守护进程（systemctl restart room-agent）。它会把损坏的文件移到 {dir}/quarantine 留档，并在新日志上继续记录签到；请把该目录交给县里，不要删除',
    en: 'what to do: restart the daemon (systemctl restart room-agent). It moves the damaged file to {dir}/quarantine for the county and goes on recording sign-ins in a new journal; hand that folder to the county, do not delete it',
  },
  quarantined: {
    zh: '注意：日志曾因损坏于 {at} 被隔离（{reason}）；损坏的文件在 {dir}/quarantine/{file}，请交给县里',
    en: 'note: a damaged journal was quarantined at {at} ({reason}); the damaged file is {dir}/quarantine/{file}, for the county',
  },
  exported: { zh: '已导出 {count} 条记录到 {file}', en: 'exported {count} entries to {file}' },
  daemonRunning: {
    zh: '守护进程正在使用数据目录 {dir}。请先停止它（systemctl stop room-agent），再运行 room-agent journal rotate-key',
    en: 'the daemon is running on {dir}; stop it first (systemctl stop room-agent), then run room-agent journal rotate-key again',
  },
  rotated: {
    zh: '设备密钥已轮换：{previous} → {next}（日志 seq {seq}）',
    en: 'device key rotated: {previous} → {next} (journal seq {seq})',
  },
  cantCreate: { zh: 'journal export：无法创建 {file}：{reason}', en: 'journal export: cannot create {file}: {reason}' },
});

/** The export's output file; undefined (after saying why) when it cannot be created. */
function createOutputFile(path: string): number | undefined {
  try {
    return openSync(path, 'w', 0o640);
  } catch (error) {
    process.stderr.write(`room-agent: ${t('cantCreate', { file: path, reason: fileProblem(error, 'create') })}\n`);
    return undefined;
  }
}

/** Reading the journal needs only its directory: with --data-dir alone no configuration file is read. */
function dataDirFor(values: ConfigOptionValues): string {
  const explicit = values['data-dir'];
  if (explicit !== undefined && values.config === undefined) return explicit;
  return inspectConfigForCli(values).config.device.dataDir;
}

/** Export only reads: the file is neither created nor migrated, and nothing is written to it. */
function openJournalForReading(values: ConfigOptionValues): Db {
  return openDatabase(join(dataDirFor(values), JOURNAL_FILE), { access: 'read' });
}

const verifyCommand: CliCommand = {
  path: ['journal', 'verify'],
  synopsis: '[--config FILE] [--data-dir DIR]',
  summary: {
    zh: '检查日志文件（SQLite 完整性）并从最早的检查点起完整校验日志链，指出损坏之处或第一个断点',
    en: "check the file (SQLite's integrity) and the whole chain from the oldest checkpoint; name the damage or the first broken seq",
  },
  run(args) {
    const { values } = parseCommandArgs('journal verify', args, configOptions);
    const dataDir = dataDirFor(values);
    const quarantined = latestQuarantine(dataDir);
    if (quarantined !== undefined) {
      const at = new Date(quarantined.at).toISOString();
      process.stdout.write(
        `${t('quarantined', { at, reason: quarantined.reason, dir: dataDir, file: quarantined.file })}\n`,
      );
    }
    let db: Db;
    try {
      db = openDatabase(join(dataDir, JOURNAL_FILE), { access: 'read' });
    } catch (error) {
      if (!isJournalDamage(error)) throw error;
      return reportDamage(dataDir, { ok: false, problems: [(error as Error).message], damaged: [] });
    }
    try {
      const integrity = checkIntegrity(db, 'full');
      if (!integrity.ok) return reportDamage(dataDir, integrity);
      const result = verifyJournal(db, 'full');
      if (!result.ok) {
        process.stdout.write(`${t('broken', { seq: result.firstBrokenSeq, reason: result.reason })}\n`);
        return ExitCode.DataError;
      }
      const line =
        result.entries === 0
          ? t('empty')
          : t('ok', { from: result.checkedFrom, to: result.checkedTo, count: result.entries });
      process.stdout.write(`${line}\n`);
      return ExitCode.Ok;
    } catch (error) {
      if (!isJournalDamage(error)) throw error;
      return reportDamage(dataDir, { ok: false, problems: [(error as Error).message], damaged: [] });
    } finally {
      db.close();
    }
  },
};

/** SQLite-level damage: what SQLite found, where, and what the technician does about it. */
function reportDamage(dataDir: string, report: IntegrityReport): number {
  const lines = [t('damaged', { what: report.problems.slice(0, 5).join('; ') })];
  if (report.damaged.length > 0) lines.push(t('damagedIn', { objects: report.damaged.join(', ') }));
  lines.push(t('damagedAdvice', { dir: dataDir }));
  process.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.DataError;
}

const exportCommand: CliCommand = {
  path: ['journal', 'export'],
  synopsis: '[--since SEQ] [--out FILE] [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '以 JSON 行导出 seq ≥ SEQ 的记录（含校正后的时间和时间质量），默认全部',
    en: 'write entries with seq ≥ SEQ as JSON lines, with re-timed wall time and time quality (default: all)',
  },
  run(args) {
    const { values } = parseCommandArgs('journal export', args, {
      ...configOptions,
      since: { type: 'string' },
      out: { type: 'string' },
    });
    const since = parseSeq('journal export', '--since', values.since, 1);
    const db = openJournalForReading(values);
    const out = values.out;
    const fd = out === undefined ? undefined : createOutputFile(out);
    if (out !== undefined && fd === undefined) {
      db.close();
      return ExitCode.CantCreate;
    }
    try {
      // process.stdout is synchronous for files and pipes on Linux, so lines are not queued up in memory.
      const writeLine =
        fd === undefined
          ? (line: string) => void process.stdout.write(line)
          : (line: string) => void writeSync(fd, line);
      const count = exportJournal(db, since, readBootId(), writeLine);
      if (out !== undefined) process.stderr.write(`${t('exported', { count, file: out })}\n`);
      return ExitCode.Ok;
    } finally {
      if (fd !== undefined) closeSync(fd);
      db.close();
    }
  },
};

const rotateKeyCommand: CliCommand = {
  path: ['journal', 'rotate-key'],
  synopsis: '[--config FILE] [--data-dir DIR]',
  summary: {
    zh: '轮换设备签名密钥（旧密钥签署的轮换记录）；须先停止守护进程',
    en: 'replace the device signing key (a rotation entry signed by the old key); the daemon must be stopped',
  },
  async run(args) {
    const { values } = parseCommandArgs('journal rotate-key', args, configOptions);
    const { config } = inspectConfigForCli(values);
    // Two writers would each sign with their own idea of the key in force: the daemon's lock keeps them apart.
    const dataDir = config.device.dataDir;
    const lock = await acquireInstanceLock(dataDir);
    if (lock === undefined) {
      process.stderr.write(`room-agent: ${t('daemonRunning', { dir: dataDir })}\n`);
      return ExitCode.Unavailable;
    }
    try {
      const clock = new SystemClock(new TimesyncdFlagSource(config.clock.syncFlagPath));
      const journal = Journal.open({ dataDir, clock, logger: createSilentLogger() });
      try {
        const { previousKeyId, keyId, entry } = journal.rotateKey();
        process.stdout.write(`${t('rotated', { previous: previousKeyId, next: keyId, seq: entry.seq })}\n`);
        return ExitCode.Ok;
      } finally {
        journal.close();
      }
    } finally {
      await lock.release();
    }
  },
};

export const journalCommands: CliCommand[] = [verifyCommand, exportCommand, rotateKeyCommand];
