import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError, ErrorCode } from '../../src/errors.js';
import { journalGapPayloadSchema, JOURNAL_GAP_EVENT } from '../../src/journal/gap.js';
import { Journal, JOURNAL_FILE } from '../../src/journal/journal.js';
import { isJournalDamage } from '../../src/journal/quarantine/damage.js';
import { EventBus } from '../../src/daemon/bus.js';
import { quarantineJournal, quarantinePending } from '../../src/journal/quarantine/quarantine.js';
import { latestQuarantine, QUARANTINE_DIR } from '../../src/journal/quarantine/record.js';
import { createSilentLogger } from '../../src/log.js';
import { inLanguage } from '../../src/util/language.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { appendSignIns, errorOf, openJournal } from './helpers.js';
import { damageIndexRecords, damageLeaf } from './pageDamage.js';

const ENTRIES = 400;

describe('quarantining a damaged journal', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let dataDir: string;
  let file: string;
  let mount: string | undefined;
  const clock = new FakeClock();
  beforeEach(() => {
    temp = makeTempDir();
    // Its own file system, so that one test can make it read-only.
    mount = join(temp.dir, 'fs');
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mount]);
    dataDir = join(mount, 'data');
    const journal = openJournal(dataDir, clock);
    appendSignIns(journal, ENTRIES);
    journal.transaction((tx) => {
      for (let i = 0; i < 30; i++)
        tx.db
          .prepare("INSERT INTO members (member_id, name, status, updated_seq) VALUES (?, ?, 'active', ?)")
          .run(`m-${i}`, `Member ${i}`, i + 1);
    });
    journal.anchor({ seq: 100, hash: journal.read(99, 1)[0]!.hash });
    journal.close();
    file = join(dataDir, JOURNAL_FILE);
  });
  afterEach(() => {
    execFileSync('umount', [mount!]);
    mount = undefined;
    temp.cleanup();
  });

  const quarantine = (reason = 'database disk image is malformed') =>
    quarantineJournal({ dataDir, reason, clock, logger: createSilentLogger() });

  it('an index-only damage: every entry is kept verbatim, the gap skips nothing, and the rows of other tables are kept', () => {
    const before = openJournal(dataDir, clock);
    const head = before.head();
    const entries = before.read(0, ENTRIES);
    before.close();
    damageLeaf(file, 'sqlite_autoindex_events_1');
    const record = quarantine();
    expect(record).toMatchObject({ keptThrough: ENTRIES, gapSeq: ENTRIES + 1, carried: 0 });

    const journal = openJournal(dataDir, clock);
    try {
      expect(journal.verify('full')).toMatchObject({ ok: true, checkedTo: ENTRIES + 1 });
      // Kept verbatim: same hashes and signatures as in the damaged file.
      expect(journal.read(0, ENTRIES)).toEqual(entries);
      const gap = journal.read(ENTRIES, 1)[0]!;
      expect(gap).toMatchObject({ type: JOURNAL_GAP_EVENT, prevHash: head.hash });
      expect(journalGapPayloadSchema.parse(gap.payload)).toMatchObject({
        reason: 'damaged',
        continuesFrom: head,
        lost: null,
        carried: null,
        quarantinedFile: record.file,
      });
      expect(journal.syncCursor()?.seq).toBe(100);
      expect(journal.db.prepare('SELECT count(*) AS n FROM members').get()).toEqual({ n: 30 });
      // The new file is whole: a write reaches every index again.
      journal.append('signin.accepted', { memberId: 'm-1' });
    } finally {
      journal.close();
    }
    const kept = readdirSync(join(dataDir, QUARANTINE_DIR));
    expect(kept).toEqual(
      expect.arrayContaining([record.file, record.exportFile, record.file.replace(/\.sqlite$/, '.json')]),
    );
    expect(quarantinePending(dataDir)).toBe(false);
    expect(latestQuarantine(dataDir)).toEqual(record);
    const exported = readFileSync(join(dataDir, QUARANTINE_DIR, record.exportFile), 'utf8')
      .trim()
      .split('\n');
    expect(exported.filter((line) => line.startsWith('{"table":"events"'))).toHaveLength(ENTRIES);
  });

  it('a damaged events page: the verifiable prefix is kept, the readable entries after it are carried above the gap', () => {
    const original = openJournal(dataDir, clock);
    const entries = original.read(0, ENTRIES);
    original.close();
    damageLeaf(file, 'events');
    const record = quarantine();
    const journal = openJournal(dataDir, clock);
    try {
      expect(journal.verify('full').ok).toBe(true);
      const kept = record.keptThrough;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(ENTRIES);
      expect(record.gapSeq).toBe(ENTRIES + 1);
      const lostOnPage = ENTRIES - kept - record.carried;
      expect(lostOnPage).toBeGreaterThan(0);
      const gap = journal.read(ENTRIES, 1)[0]!;
      expect(journalGapPayloadSchema.parse(gap.payload)).toMatchObject({
        lost: { fromSeq: kept + 1, toSeq: ENTRIES },
        carried: { fromSeq: ENTRIES + 2, toSeq: ENTRIES + 1 + record.carried, count: record.carried },
      });
      // The carried copies keep id, type, payload and times; only their place in the chain is new.
      const carried = journal.read(ENTRIES + 1, record.carried);
      const originals = entries.slice(kept + lostOnPage);
      expect(carried.map(({ id, type, payload, wallMs }) => ({ id, type, payload, wallMs }))).toEqual(
        originals.map(({ id, type, payload, wallMs }) => ({ id, type, payload, wallMs })),
      );
      // The anchor lay within the kept prefix (seq 100) only if the damage came after it.
      expect(journal.syncCursor()?.seq ?? 0).toBeLessThanOrEqual(kept);
    } finally {
      journal.close();
    }
  });

  it('a missing journal_meta row: quarantined, and the gap goes above every seq the events hold', () => {
    const db = new Database(file);
    db.exec('DELETE FROM journal_meta');
    db.close();
    const record = quarantine('journal_meta row missing');
    expect(record).toMatchObject({ keptThrough: ENTRIES, gapSeq: ENTRIES + 1 });
    const journal = openJournal(dataDir, clock);
    expect(journal.verify('full').ok).toBe(true);
    journal.close();
  });

  it('a write that meets a damaged page is announced on the bus, so that the daemon quarantines the file', () => {
    damageIndexRecords(file, 'sqlite_autoindex_events_1');
    const bus = new EventBus();
    const damaged: string[] = [];
    bus.on('test', 'journal.damaged', ({ reason }) => damaged.push(reason));
    const journal = Journal.open({ dataDir, clock, logger: createSilentLogger(), bus });
    try {
      expect(() => journal.append('signin.accepted', { memberId: 'm-1' })).toThrow(/malformed/);
    } finally {
      journal.close();
    }
    expect(damaged).toEqual(['database disk image is malformed']);
  });

  it('a full disk or a read-only file system is never taken for damage', () => {
    const sqliteError = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR_SHMSIZE', 'EROFS', 'ENOSPC'])
      expect(isJournalDamage(new AgentError(ErrorCode.JournalOpen, 'x', {}, { cause: sqliteError(code) }))).toBe(false);
    for (const code of ['SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_NOTADB'])
      expect(isJournalDamage(new AgentError(ErrorCode.JournalOpen, 'x', {}, { cause: sqliteError(code) }))).toBe(true);
    expect(isJournalDamage(new AgentError(ErrorCode.JournalDamaged, 'no meta row'))).toBe(true);
  });

  it('a quarantine cut short by a power cut is finished by the next one, under the same name', () => {
    damageLeaf(file, 'sqlite_autoindex_events_1');
    // As a power cut after the damaged file was moved aside and a new file begun would leave it.
    const name = 'journal-2026-01-02T03-04-05-006Z';
    mkdirSync(join(dataDir, QUARANTINE_DIR));
    writeFileSync(join(dataDir, QUARANTINE_DIR, 'pending.json'), JSON.stringify({ name, reason: 'found at start' }));
    renameSync(file, join(dataDir, QUARANTINE_DIR, `${name}.sqlite`));
    writeFileSync(file, 'half a new journal');
    expect(quarantinePending(dataDir)).toBe(true);

    const record = quarantine('another reason');
    expect(record).toMatchObject({ file: `${name}.sqlite`, reason: 'found at start', keptThrough: ENTRIES });
    expect(quarantinePending(dataDir)).toBe(false);
    const journal = openJournal(dataDir, clock);
    expect(journal.verify('full')).toMatchObject({ ok: true, checkedTo: ENTRIES + 1 });
    journal.close();
  });

  it('a quarantine that cannot be written says what a technician must do', () => {
    damageLeaf(file, 'sqlite_autoindex_events_1');
    execFileSync('mount', ['-o', 'remount,ro', mount!]);
    const error = inLanguage('en', () => errorOf(() => quarantine()));
    expect(error.code).toBe(ErrorCode.JournalQuarantineFailed);
    expect(error.message).toMatch(
      new RegExp(
        `^the journal ${file} is damaged and could not be quarantined \\(.*read-only file system.*\\)\\. A technician must make the data directory ${dataDir} writable`,
        'i',
      ),
    );
    // Nothing was moved: the damaged file is where it was.
    expect(existsSync(file)).toBe(true);
  });
});
