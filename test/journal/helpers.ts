import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { AdjustableClock, ClockReading, ClockState } from '../../src/clock/types.js';
import { Journal, JOURNAL_FILE } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';

/** A clock the test moves by hand; same interface as SystemClock. */
export class FakeClock implements AdjustableClock {
  wallMs = 1_700_000_000_000;
  monoMs = 5_000;
  bootId = 'boot-a';
  state: ClockState = 'synced';

  read(): ClockReading {
    return { wallMs: this.wallMs, monoMs: this.monoMs, bootId: this.bootId, state: this.state };
  }

  advance(ms: number): void {
    this.wallMs += ms;
    this.monoMs += ms;
  }

  adoptWallTime(wallMs: number): ClockReading {
    this.wallMs = wallMs;
    this.state = 'synced';
    return this.read();
  }
}

export function openJournal(dataDir: string, clock: FakeClock = new FakeClock()): Journal {
  return Journal.open({ dataDir, clock, logger: createSilentLogger() });
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
