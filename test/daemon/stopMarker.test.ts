import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FULL_VERIFY_INTERVAL_MS, JournalVerifyService } from '../../src/app/journalVerify.js';
import { leaveStopMarker, STOP_MARKER_FILE, takeStopMarker } from '../../src/app/stopMarker.js';
import { EventBus } from '../../src/daemon/bus.js';
import { JOURNAL_FILE } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { makeTempDir } from '../helpers/cli.js';
import { appendSignIns, openJournal, tamper } from '../journal/helpers.js';
import { FakeClock } from '../helpers/fakeClock.js';

describe('the clean-stop marker', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let journalFile: string;
  const logger = createSilentLogger();
  beforeEach(() => {
    temp = makeTempDir();
    journalFile = join(temp.dir, JOURNAL_FILE);
  });
  afterEach(() => temp.cleanup());

  function stopCleanly(): void {
    const journal = openJournal(temp.dir);
    appendSignIns(journal, 3);
    journal.close();
    leaveStopMarker(temp.dir, journalFile, logger);
  }

  it('tells a first start, a clean stop, and is gone once read: a daemon that dies next leaves none', () => {
    expect(takeStopMarker(temp.dir, journalFile, logger)).toBe('first-start');
    stopCleanly();
    expect(takeStopMarker(temp.dir, journalFile, logger)).toBe('clean');
    expect(existsSync(join(temp.dir, STOP_MARKER_FILE))).toBe(false);
    expect(takeStopMarker(temp.dir, journalFile, logger)).toBe('unclean');
  });

  it('tells a journal file written after the orderly stop', () => {
    stopCleanly();
    tamper(temp.dir, (db) => db.prepare("UPDATE events SET payload = '{}' WHERE seq = 2").run());
    expect(takeStopMarker(temp.dir, journalFile, logger)).toBe('changed');
  });

  it('takes a marker it did not write as an unclean stop, and removes it', () => {
    stopCleanly();
    for (const bytes of ['', '{"size":"1"}', 'not json \u0000\u00ff', '{"size":"1","mtimeNs":"2","ino":"x"}']) {
      writeFileSync(join(temp.dir, STOP_MARKER_FILE), bytes);
      expect(takeStopMarker(temp.dir, journalFile, logger), JSON.stringify(bytes)).toBe('unclean');
      expect(existsSync(join(temp.dir, STOP_MARKER_FILE))).toBe(false);
    }
  });
});

describe('the journal-verify service', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let clock: FakeClock;
  let service: JournalVerifyService | undefined;
  beforeEach(() => {
    temp = makeTempDir();
    clock = new FakeClock();
  });
  afterEach(async () => {
    await service?.stop();
    temp.cleanup();
  });

  async function walkedOnce(previousStop: 'clean' | 'unclean', bus = new EventBus()) {
    const journal = openJournal(temp.dir, clock);
    service = new JournalVerifyService({ journal, clock, bus, previousStop, logger: createSilentLogger() });
    const done = new Promise<void>((resolve) => bus.on('test', 'health.changed', () => resolve()));
    service.start();
    await done;
    const health = service.health();
    await service.stop();
    const verification = service.verification();
    journal.close();
    return { verification, health };
  }

  it('walks at once when none ran for a day, and says broken in its health when the chain is', async () => {
    const journal = openJournal(temp.dir, clock);
    appendSignIns(journal, 8);
    journal.close();
    const first = await walkedOnce('clean');
    expect(first.verification.lastFull).toMatchObject({ trigger: 'daily', checkedTo: 8, broken: null });
    expect(first.health).toEqual({ state: 'ok' });

    clock.advance(FULL_VERIFY_INTERVAL_MS);
    tamper(temp.dir, (db) => db.prepare("UPDATE events SET payload = '{}' WHERE seq = 3").run());
    const second = await walkedOnce('clean');
    expect(second.verification.lastFull).toMatchObject({ trigger: 'daily', broken: { seq: 3 } });
    expect(second.verification.lastFull!.startedWallMs).toBe(clock.wallMs);
    expect(second.health).toEqual({
      state: 'degraded',
      detail: 'journal chain broken at seq 3: entry 3 was changed: its content no longer matches its hash',
    });
  });
});
