import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ClockReader } from '../../clock/types.js';
import { AgentError, ErrorCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import type { Logger } from '../../log.js';
import { removeFileDurably, writeFileAtomic } from '../../util/atomicWrite.js';
import { fsyncDirectory, mkdirDurable } from '../../util/durableDir.js';
import { remapSeqReferences } from '../branch.js';
import { Journal, JOURNAL_FILE } from '../journal.js';
import { readDamagedJournal, type DamagedJournal } from './damagedFile.js';
import { carriableEntries, rebuildJournalFile } from './rebuild.js';
import { QUARANTINE_DIR, writeQuarantineRecord, type QuarantineRecord } from './record.js';

const t = defineMessages({
  failed: {
    zh: '日志文件 {file} 已损坏，且无法隔离（{problem}）。请检查数据目录 {dir} 可写且有空间，把它交给技术员处理；保留原文件，不要删除',
    en: 'the journal {file} is damaged and could not be quarantined ({problem}). A technician must make the data directory {dir} writable with free space, then start room-agent again; keep the damaged file, do not delete it',
  },
});

/** The marker of a quarantine under way: a start after a crash in the middle finishes it. */
const PENDING = 'pending.json';
/** SQLite's companions of a database file, moved with it. */
const COMPANIONS = ['', '-wal', '-shm'];

export interface QuarantineOptions {
  dataDir: string;
  /** What was found, in English: SQLite's message, quick_check's first line, the missing row. */
  reason: string;
  clock: ClockReader;
  logger: Logger;
}

/** `journal-2026-12-07T17-01-02-123Z`: sorts by time, valid on every file system. */
function quarantineName(wallMs: number): string {
  return `journal-${new Date(wallMs).toISOString().replaceAll(':', '-').replaceAll('.', '-')}`;
}

const pendingSchema = z.strictObject({ name: z.string().regex(/^journal-[0-9A-Za-z-]+$/), reason: z.string() });
type Pending = z.infer<typeof pendingSchema>;

/** The quarantine under way, or undefined (a marker that does not parse is one a crash cut short: started afresh). */
function readPending(directory: string): Pending | undefined {
  try {
    return pendingSchema.parse(JSON.parse(readFileSync(join(directory, PENDING), 'utf8')));
  } catch {
    return undefined;
  }
}

/** Whether a quarantine was interrupted (power cut): the next start must finish it before anything else. */
export function quarantinePending(dataDir: string): boolean {
  return existsSync(join(dataDir, QUARANTINE_DIR, PENDING));
}

/**
 * Moves the damaged file and its -wal and -shm into the quarantine folder, under one name so
 * that SQLite opens them together there. Done once: when the moved file is already there, what
 * lies at the journal's path is a rebuild a crash interrupted, and it goes.
 */
function moveAside(dataDir: string, directory: string, name: string): string {
  const live = join(dataDir, JOURNAL_FILE);
  const kept = join(directory, `${name}.sqlite`);
  if (existsSync(kept)) {
    for (const suffix of COMPANIONS) rmSync(`${live}${suffix}`, { force: true });
  } else {
    for (const suffix of COMPANIONS)
      if (existsSync(`${live}${suffix}`)) renameSync(`${live}${suffix}`, `${kept}${suffix}`);
    fsyncDirectory(directory);
  }
  fsyncDirectory(dataDir);
  return kept;
}

/** JSON lines, one per readable row of every table (`{"table":…,"row":…}`), fsync'd. */
function writeExport(file: string, damaged: DamagedJournal): void {
  const fd = openSync(file, 'w', 0o640);
  try {
    for (const table of damaged.tables) {
      for (const row of table.rows) writeSync(fd, `${JSON.stringify({ table: table.name, row }, bigintAsString)}\n`);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Blobs (template backups) go as base64; a rowid beyond 2^53 as text. */
function bigintAsString(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return { base64: value.toString('base64') };
  return value;
}

/**
 * Puts a damaged journal aside and starts a new one in its place that continues the chain: the
 * damaged file (with -wal and -shm) goes to `<dataDir>/quarantine/` under a timestamped name,
 * with a JSON lines export of every row still readable; the new file holds the rows of every
 * other table that could be read, the entries of the longest verifiable prefix verbatim, and a
 * `journal.gap` entry (reason 'damaged') above every seq the old file may have used, followed by
 * the readable entries after the damage whose signatures verify. Resumable: a marker names the
 * quarantine under way, and a start after a crash finishes it.
 *
 * Throws JournalQuarantineFailed when a file cannot be written (a read-only or full disk): only a
 * technician can help then.
 */
export function quarantineJournal(options: QuarantineOptions): QuarantineRecord {
  const { dataDir, clock, logger } = options;
  const directory = join(dataDir, QUARANTINE_DIR);
  try {
    // Named first: mkdir of the folder on a read-only mount reports ENOENT, which would mislead.
    accessSync(dataDir, constants.W_OK);
    mkdirDurable(directory, 0o750);
    let pending = readPending(directory);
    if (pending === undefined) {
      pending = { name: quarantineName(clock.read().wallMs), reason: options.reason };
      writeFileAtomic(join(directory, PENDING), `${JSON.stringify(pending)}\n`, 0o640);
    }
    const { name, reason } = pending;
    const kept = moveAside(dataDir, directory, name);
    const damaged = readDamagedJournal(kept);
    const exportFile = `${name}.readable.jsonl`;
    writeExport(join(directory, exportFile), damaged);
    const prefix = rebuildJournalFile(join(dataDir, JOURNAL_FILE), damaged);
    const journal = Journal.open({ dataDir, clock, logger });
    let record: QuarantineRecord;
    try {
      const carry = carriableEntries(journal.db, prefix.after);
      const { gap, carried } = journal.continueAfterLoss({
        reason: 'damaged',
        detail: reason.slice(0, 500),
        from: prefix.from,
        above: Math.max(prefix.from.seq, damaged.highestSeq),
        carry,
        quarantinedFile: `${name}.sqlite`,
      });
      // Rows salvaged from other tables name the carried entries by their old seqs.
      const moves = carried.map((entry, index) => [carry[index]!.seq, entry.seq] as const);
      journal.transaction((tx) => remapSeqReferences(tx.db, moves));
      record = {
        at: clock.read().wallMs,
        file: `${name}.sqlite`,
        reason: reason.slice(0, 500),
        exportFile,
        gapSeq: gap.seq,
        keptThrough: prefix.from.seq,
        carried: carried.length,
      };
    } finally {
      journal.close();
    }
    writeQuarantineRecord(dataDir, name, record);
    removeFileDurably(join(directory, PENDING));
    logger.error(
      { ...record, unreadable: damaged.unopenable, copied: prefix.copied },
      'the journal was damaged: it was quarantined and a new journal continues it',
    );
    return record;
  } catch (error) {
    const file = join(dataDir, JOURNAL_FILE);
    const problem = (error as Error).message;
    throw new AgentError(
      ErrorCode.JournalQuarantineFailed,
      t('failed', { file, problem, dir: dataDir }),
      { file },
      { cause: error },
    );
  }
}
