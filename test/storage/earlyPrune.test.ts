import { statfsSync } from 'node:fs';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { JournalPruneService } from '../../src/app/journalPrune.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { StorageMonitor } from '../../src/store/storageMonitor.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';

const DAY = 86_400_000;
let temp: ReturnType<typeof makeTempDir>;
let journal: Journal | undefined;
let service: JournalPruneService | undefined;

beforeEach(() => {
  temp = makeTempDir();
});

afterEach(() => {
  service?.stop();
  journal?.close();
  temp.cleanup();
});

/** A monitor measuring the test's real file system, with a reserve above what is free there (or not). */
function monitor(belowReserve: boolean): StorageMonitor {
  const free = statfsSync(temp.dir);
  return new StorageMonitor({
    dataDir: temp.dir,
    reserveBytes: belowReserve ? free.bavail * free.bsize + 1024 ** 3 : 0,
    logger: createSilentLogger(),
  });
}

function journalWithAcknowledgedDay(clock: FakeClock): Journal {
  const opened = Journal.open({ dataDir: temp.dir, access: 'create', clock, logger: createSilentLogger() });
  for (let n = 0; n < 5; n++) opened.append('technician.note', { text: `acknowledged ${n}`, operator: 'test' });
  opened.anchor(opened.head());
  opened.append('technician.note', { text: 'not acknowledged', operator: 'test' });
  // A day later: far inside the 90-day retention.
  clock.advance(DAY);
  return opened;
}

it('below the storage reserve prunes acknowledged entries before their retention, never unacknowledged ones', async () => {
  const clock = new FakeClock();
  journal = journalWithAcknowledgedDay(clock);
  const storage = monitor(true);
  expect(storage.pruneEarly()).toBe(true);
  service = new JournalPruneService({
    journal,
    clock,
    retentionDays: 90,
    intervalMinutes: 60,
    storage,
    logger: createSilentLogger(),
  });
  service.start();
  const opened = journal;
  await vi.waitFor(() => expect(opened.read(0, 100).map((entry) => entry.type)).toContain('journal.pruned'));
  expect(opened.read(0, 100).map((entry) => (entry.payload as { text?: string }).text)).toEqual([
    'not acknowledged',
    undefined,
  ]);
  expect(opened.verify('full')).toMatchObject({ ok: true });
});

it('with room to spare keeps them for the whole retention', async () => {
  const clock = new FakeClock();
  journal = journalWithAcknowledgedDay(clock);
  const storage = monitor(false);
  expect(storage.pruneEarly()).toBe(false);
  let pruned = 0;
  const opened = journal;
  const prune = opened.prune.bind(opened);
  opened.prune = (options) => {
    pruned++;
    return prune(options);
  };
  service = new JournalPruneService({
    journal,
    clock,
    retentionDays: 90,
    intervalMinutes: 60,
    storage,
    logger: createSilentLogger(),
  });
  service.start();
  await vi.waitFor(() => expect(pruned).toBe(1));
  expect(opened.read(0, 100)).toHaveLength(6);
});
