import Database from 'better-sqlite3';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isAgentError } from '../../src/errors.js';
import { setLanguage } from '../../src/i18n.js';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { makeTempDir } from '../helpers/cli.js';
import { errorOf, openJournal } from './helpers.js';

describe('the journal database', () => {
  beforeAll(() => setLanguage('en'));
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
    openDatabase(file, { access: 'create' }).close();
    const db = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
      const tables = (
        db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>
      ).map((row) => row.name);
      expect(tables).toEqual([
        'activities',
        'activity_plans',
        'center_commands',
        'checkpoints',
        'clock_corrections',
        'device_keys',
        'events',
        'file_uploads',
        'fingers',
        'full_verification',
        'journal_branches',
        'journal_meta',
        'members',
        'module_binding',
        'pending_slot_deletions',
        'recording_segments',
        'signin_last',
        'sync_anchor',
        'template_backups',
        'template_escrow',
      ]);
    } finally {
      db.close();
    }
  });

  it('keeps every table STRICT, so a value of the wrong type is refused rather than stored', () => {
    const db = openDatabase(join(temp.dir, 'journal.sqlite'), { access: 'create' });
    try {
      const tables = db
        .prepare(
          "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all();
      expect(tables.filter((table) => (table as { strict: number }).strict !== 1)).toEqual([]);
      expect(() =>
        db
          .prepare(
            "INSERT INTO activities (id, type, title, source, plan_json, started_seq, started_wall_ms, started_mono_ms, started_boot_id) VALUES ('a1', 'meeting', 't', 'cli', '{}', 'one', 1, 1, 'b')",
          )
          .run(),
      ).toThrow('cannot store TEXT value in INTEGER column activities.started_seq');
    } finally {
      db.close();
    }
  });

  it('allows only one open activity', () => {
    const db = openDatabase(join(temp.dir, 'journal.sqlite'), { access: 'create' });
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
    expect((caught as Error).message).toBe(
      `${file} has schema version 99, newer than this room-agent understands (${MIGRATIONS.at(-1)!.version}); install the newer room-agent again`,
    );
  });

  it('names the file and the cure when its directory does not exist', () => {
    const file = join(temp.dir, 'missing', 'journal.sqlite');
    expect(() => openDatabase(file, { access: 'create' })).toThrow(
      `cannot create the journal database ${file}: ENOENT: no such file or directory, open '${file}' (check that the directory exists and is writable)`,
    );
  });

  it.each(['write', 'read'] as const)('never creates the file when opened for %s', (access) => {
    const file = join(temp.dir, 'journal.sqlite');
    const error = errorOf(() => openDatabase(file, { access }));
    expect(isAgentError(error, ErrorCode.JournalMissing)).toBe(true);
    expect(error.message).toBe(
      `no journal at ${file}: point --data-dir or device.dataDir at the data directory (room-agent run creates the journal on its first start)`,
    );
    expect(existsSync(file)).toBe(false);
  });

  it('opened for reading, neither migrates nor writes the file', () => {
    const file = join(temp.dir, 'journal.sqlite');
    writeFileSync(file, '');
    const error = errorOf(() => openDatabase(file, { access: 'read' }));
    expect(isAgentError(error, ErrorCode.JournalSchema)).toBe(true);
    expect(error.message).toBe(
      `${file} has schema version 0, older than this room-agent's (${MIGRATIONS.at(-1)!.version}); start the daemon once (room-agent run) to upgrade it, then try again`,
    );
    expect(statSync(file).size).toBe(0);
    openDatabase(file, { access: 'write' }).close();
    const db = openDatabase(file, { access: 'read' });
    try {
      expect(db.readonly).toBe(true);
      expect(() =>
        db.prepare("INSERT INTO members (member_id, name, status, updated_seq) VALUES ('m', 'n', 'active', 1)").run(),
      ).toThrow('attempt to write a readonly database');
    } finally {
      db.close();
    }
  });
});
