import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { AgentError } from '../../src/errors.js';
import { Journal, JOURNAL_FILE } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';

/** Opens the journal as `room-agent run` does: creating it and its key on first use. */
export function openJournal(dataDir: string, clock: FakeClock = new FakeClock()): Journal {
  return Journal.open({ dataDir, clock, logger: createSilentLogger(), access: 'create' });
}

/** The error `fn` throws; fails the test when it throws none. */
export function errorOf(fn: () => unknown): AgentError {
  try {
    fn();
  } catch (error) {
    return error as AgentError;
  }
  throw new Error('expected an error');
}

export function appendSignIns(journal: Journal, count: number): void {
  for (let i = 0; i < count; i++) journal.append('signin.accepted', { memberId: `m-${i}`, page: i, score: 120 + i });
}

/**
 * The file opened the way an attacker with a sqlite3 shell would: the append-only trigger is only a
 * guard against our own bugs, so it is dropped first.
 */
export function tamper(dataDir: string, edit: (db: Database.Database) => void): void {
  const db = new Database(join(dataDir, JOURNAL_FILE));
  try {
    db.exec('DROP TRIGGER IF EXISTS events_append_only');
    edit(db);
  } finally {
    db.close();
  }
}

/** What each test of a suite gets from useJournal(); the fields are replaced before every test. */
export interface JournalFixture {
  dir: string;
  clock: FakeClock;
  journal: Journal;
  /** Closes the journal and opens it again, as a restarted daemon would; also sets `journal`. */
  reopen(): Journal;
  /** Closes the journal, edits the file as an attacker would, and opens it again. */
  tamperAndReopen(edit: (db: Database.Database) => void): Journal;
}

/**
 * A fresh data directory and an open journal for every test of the calling suite, closed and
 * removed after it. `prepare` runs on the new journal, e.g. to append the entries all tests share.
 */
export function useJournal(prepare: (journal: Journal) => void = () => {}): JournalFixture {
  let cleanup = () => {};
  const fixture: JournalFixture = {
    dir: '',
    clock: new FakeClock(),
    journal: undefined as unknown as Journal,
    reopen() {
      fixture.journal.close();
      fixture.journal = openJournal(fixture.dir, fixture.clock);
      return fixture.journal;
    },
    tamperAndReopen(edit) {
      fixture.journal.close();
      tamper(fixture.dir, edit);
      return fixture.reopen();
    },
  };
  beforeEach(() => {
    const temp = makeTempDir();
    cleanup = temp.cleanup;
    fixture.dir = temp.dir;
    fixture.clock = new FakeClock();
    fixture.journal = openJournal(temp.dir, fixture.clock);
    prepare(fixture.journal);
  });
  afterEach(() => {
    fixture.journal.close();
    cleanup();
  });
  return fixture;
}
