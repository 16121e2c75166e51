import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalPruneService } from '../../src/app/journalPrune.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { makeTempDir } from '../helpers/cli.js';

const DAY = 86_400_000;

describe('the daemon prunes acknowledged, expired journal entries', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let clock: FakeClock;
  let journal: Journal;
  let service: JournalPruneService;

  beforeEach(() => {
    temp = makeTempDir();
    clock = new FakeClock();
    journal = Journal.open({ dataDir: temp.dir, access: 'create', clock, logger: createSilentLogger() });
    for (let n = 0; n < 5; n++) journal.append('technician.note', { text: `note ${n}`, operator: 'test' });
    journal.anchor(journal.head());
    clock.advance(91 * DAY);
    service = new JournalPruneService({
      journal,
      clock,
      retentionDays: 90,
      intervalMinutes: 60,
      logger: createSilentLogger(),
    });
  });
  afterEach(() => {
    service.stop();
    journal.close();
    temp.cleanup();
  });

  const afterFirstRun = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('right after start, not only after the first interval', async () => {
    service.start();
    await afterFirstRun();
    expect(journal.read(0, 100).map((entry) => entry.type)).toEqual(['journal.pruned']);
    expect(journal.verify('full')).toMatchObject({ ok: true });
    expect(service.health()).toEqual({ state: 'ok' });
  });

  it('not while the wall clock is unsynchronised: the cutoff could be days off', async () => {
    clock.state = 'unsynced';
    service.start();
    await afterFirstRun();
    expect(journal.read(0, 100)).toHaveLength(5);
  });
});
