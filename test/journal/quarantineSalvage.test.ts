import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/journal/journal.js';
import { readDamagedJournal } from '../../src/journal/quarantine/damagedFile.js';
import { checkIntegrity } from '../../src/journal/quarantine/integrity.js';
import { salvageTable } from '../../src/journal/quarantine/salvage.js';
import { makeTempDir } from '../helpers/cli.js';
import { appendSignIns, openJournal } from './helpers.js';
import { damageIndexRecords, damageLeaf, flipBytes, pagesOf } from './pageDamage.js';

const ENTRIES = 400;

describe('salvaging a damaged journal file', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: string;
  beforeEach(() => {
    temp = makeTempDir();
    const dataDir = join(temp.dir, 'data');
    const journal = openJournal(dataDir);
    appendSignIns(journal, ENTRIES);
    journal.transaction((tx) => {
      for (let i = 0; i < 50; i++)
        tx.db
          .prepare("INSERT INTO members (member_id, name, status, updated_seq) VALUES (?, ?, 'active', 1)")
          .run(`m-${i}`, `Member ${i}`);
    });
    journal.close();
    file = join(dataDir, JOURNAL_FILE);
  });
  afterEach(() => temp.cleanup());

  const read = <T>(use: (db: Database.Database) => T): T => {
    const db = new Database(file, { readonly: true });
    try {
      return use(db);
    } finally {
      db.close();
    }
  };

  it('an intact file passes both checks and every row is read', () => {
    expect(read((db) => checkIntegrity(db, 'full'))).toEqual({ ok: true, problems: [], damaged: [] });
    const events = read((db) => salvageTable(db, 'events'));
    expect(events).toMatchObject({ failedReads: 0 });
    expect(events.rows.map((row) => row.seq)).toEqual(Array.from({ length: ENTRIES }, (_, i) => i + 1));
  });

  it('a damaged index page: integrity_check names the index and its table, and every row is still read', () => {
    damageLeaf(file, 'sqlite_autoindex_events_1');
    const report = read((db) => checkIntegrity(db, 'full'));
    expect(report.ok).toBe(false);
    expect(report.damaged).toContain('index sqlite_autoindex_events_1 (table events)');
    // The table's own b-tree is whole: a scan that uses no index reads every entry.
    const events = read((db) => salvageTable(db, 'events'));
    expect(events.rows).toHaveLength(ENTRIES);
    expect(events.failedReads).toBe(0);
  });

  it('an index entry changed in place is caught by integrity_check though quick_check passes', () => {
    const leaf = pagesOf(file, 'sqlite_autoindex_events_1')[0]!;
    flipBytes(file, leaf, 4000);
    expect(read((db) => checkIntegrity(db, 'quick')).ok).toBe(true);
    const report = read((db) => checkIntegrity(db, 'full'));
    expect(report.ok).toBe(false);
    expect(report.damaged).toContain('index sqlite_autoindex_events_1 (table events)');
  });

  it('undecodable index records: quick_check passes, integrity_check cannot finish, and the probe names the index', () => {
    damageIndexRecords(file, 'sqlite_autoindex_events_1');
    expect(read((db) => checkIntegrity(db, 'quick')).ok).toBe(true);
    const report = read((db) => checkIntegrity(db, 'full'));
    expect(report).toMatchObject({ ok: false, damaged: ['index sqlite_autoindex_events_1 (table events)'] });
    expect(read((db) => salvageTable(db, 'events')).rows).toHaveLength(ENTRIES);
  });

  it('a damaged events page: the rows before and after it are read, those on it are not', () => {
    damageLeaf(file, 'events');
    const events = read((db) => salvageTable(db, 'events', ENTRIES));
    const seqs = events.rows.map((row) => Number(row.seq));
    expect(events.failedReads).toBeGreaterThan(0);
    expect(seqs[0]).toBe(1);
    expect(seqs.at(-1)).toBe(ENTRIES);
    const missing = Array.from({ length: ENTRIES }, (_, i) => i + 1).filter((seq) => !seqs.includes(seq));
    // One page's rows, contiguous: a leaf of the events table holds a run of consecutive seqs.
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.length).toBeLessThan(60);
    expect(missing.at(-1)! - missing[0]! + 1).toBe(missing.length);
    expect(read((db) => checkIntegrity(db, 'quick')).damaged).toContain('table events');
  });

  it('readDamagedJournal reads every table, the head and the highest seq any record knows', () => {
    damageLeaf(file, 'events');
    const damaged = readDamagedJournal(file);
    expect(damaged.head?.seq).toBe(ENTRIES);
    expect(damaged.highestSeq).toBe(ENTRIES);
    expect(damaged.tables.find((table) => table.name === 'members')?.rows).toHaveLength(50);
    expect(damaged.tables.find((table) => table.name === 'device_keys')?.rows).toHaveLength(1);
    expect(damaged.events.length).toBeLessThan(ENTRIES);
  });

  it('a file that is no database: nothing is read, and why is said', () => {
    flipBytes(file, 1, 0, 16);
    const damaged = readDamagedJournal(file);
    expect(damaged.events).toEqual([]);
    expect(damaged.highestSeq).toBe(0);
  });
});
