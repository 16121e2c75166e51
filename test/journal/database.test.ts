import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isAgentError } from '../../src/errors.js';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { makeTempDir } from '../helpers/cli.js';
import { openJournal } from './helpers.js';

describe('the journal database', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('runs the live connection in WAL with synchronous=FULL, foreign keys and a busy timeout', () => {
    const journal = openJournal(temp.dir);
    try {
      expect(journal.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(journal.db.pragma('synchronous', { simple: true })).toBe(2);
      expect(journal.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(journal.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      journal.close();
    }
  });

  it('applies every migration once and records the schema version', () => {
    const file = join(temp.dir, 'journal.sqlite');
    openDatabase(file).close();
    const db = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
      const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((row) => row.name);
      expect(tables).toEqual(['activities', 'activity_plans', 'checkpoints', 'clock_corrections', 'device_keys', 'events', 'journal_meta', 'members', 'sync_anchor']);
    } finally {
      db.close();
    }
  });

  it('allows only one open activity', () => {
    const db = openDatabase(join(temp.dir, 'journal.sqlite'));
    try {
      const insert = db.prepare(
        "INSERT INTO activities (id, type, title, source, plan_json, started_seq, started_wall_ms, started_mono_ms, started_boot_id) VALUES (?, 'meeting', 't', 'cli', '{}', 1, 1, 1, 'b')",
      );
      insert.run('a1');
      expect(() => insert.run('a2')).toThrow(/UNIQUE/);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer room-agent', () => {
    const file = join(temp.dir, 'journal.sqlite');
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (error) {
      caught = error;
    }
    expect(isAgentError(caught, ErrorCode.JournalSchema)).toBe(true);
    expect((caught as Error).message).toBe(`${file} has schema version 99, newer than this room-agent understands (1); install the newer room-agent again`);
  });

  it('names the file and the cure when the directory does not exist', () => {
    const file = join(temp.dir, 'missing', 'journal.sqlite');
    expect(() => openDatabase(file)).toThrow(`cannot open the journal database ${file}: Cannot open database because the directory does not exist (check that the directory exists and is writable)`);
  });
});
