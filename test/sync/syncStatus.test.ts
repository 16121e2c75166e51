import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCore, registerStatus } from '../../src/app/core.js';
import { recordCorrection } from '../../src/clock/corrections.js';
import { inspectConfig } from '../../src/config/load.js';
import { statusSchema } from '../../src/app/statusMethod.js';
import type { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { collectSyncStatus } from '../../src/sync/health/syncStatus.js';
import { brokerForDisplay } from '../../src/sync/link/brokerUrl.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { appendSignIns, openJournal } from '../journal/helpers.js';

const CENTER_TIME_MS = 1_700_000_100_000;

describe('the sync part of room-agent status', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let dataDir: string;
  let clock: FakeClock;
  let journal: Journal;
  beforeEach(() => {
    temp = makeTempDir();
    dataDir = join(temp.dir, 'data');
    clock = new FakeClock();
    journal = openJournal(dataDir, clock);
    appendSignIns(journal, 5);
  });
  afterEach(() => {
    journal.close();
    temp.cleanup();
  });

  /** A config whose clock counts as synchronised (its flag file exists) and whose broker URL holds a password. */
  function writeConfig(): string {
    const flag = join(temp.dir, 'synchronized');
    writeFileSync(flag, '');
    const file = join(temp.dir, 'config.yaml');
    writeFileSync(
      file,
      `version: 1\ndevice:\n  id: room-test\n  dataDir: ${dataDir}\nclock:\n  syncFlagPath: ${flag}\ncounty:\n  url: mqtt://room-test:s3cret@127.0.0.1:1883\n`,
    );
    return file;
  }

  it('standalone (no daemon): cursor, backlog and last sync from the journal, the link not running', async () => {
    const third = journal.read(2, 1)[0]!;
    journal.anchor({ seq: 3, hash: third.hash, centerTimeMs: CENTER_TIME_MS });
    journal.close();
    const config = writeConfig();

    const json = await runCli(['status', '--json', '--config', config]);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const { sync } = statusSchema.parse(JSON.parse(json.stdout));
    // The entries were stamped by the test's clock (synced) on another boot: their age is measured by wall time.
    const expectedAge = Math.round((Date.now() - clock.wallMs) / 1000);
    expect(sync.backlog.oldestAgeSeconds).toBeGreaterThanOrEqual(expectedAge - 5);
    expect(sync.backlog.oldestAgeSeconds).toBeLessThanOrEqual(expectedAge + 5);
    expect(sync).toEqual({
      link: { state: 'not-running', broker: 'mqtt://127.0.0.1:1883' },
      cursor: { seq: 3, hash: third.hash, centerTimeMs: CENTER_TIME_MS },
      backlog: { events: 2, oldestAgeSeconds: sync.backlog.oldestAgeSeconds },
      lastSync: new Date(CENTER_TIME_MS).toISOString(),
      files: { pending: 0 },
    });
    expect(json.stdout).not.toContain('s3cret');

    const text = await runCli(['status', '--config', config]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    const days = Math.floor(sync.backlog.oldestAgeSeconds! / 86_400);
    expect(text.stdout).toContain(
      [
        'county link: not running (mqtt://127.0.0.1:1883)',
        `backlog: 2 events not yet acknowledged by the center, the oldest waiting for ${days} days`,
        `sync cursor: seq 3 (hash ${third.hash.slice(0, 12)}…)`,
        `last sync: ${new Date(CENTER_TIME_MS).toISOString()}`,
        'files waiting to upload: 0',
      ].join('\n'),
    );
    expect(text.stdout).not.toContain('s3cret');
  });

  it('from the daemon: the live link state comes from the provider the composition root registers', async () => {
    journal.db
      .prepare(
        `INSERT INTO file_uploads (file_id, path, name, kind, size, sha256, meta, state, queued_seq) VALUES ('f1', '/tmp/a.jpg', 'a.jpg', 'photo', 10, ?, '{}', 'pending', 5), ('f2', '/tmp/b.jpg', 'b.jpg', 'photo', 10, ?, '{}', 'complete', 5)`,
      )
      .run('0'.repeat(64), '1'.repeat(64));
    journal.close();
    const loaded = inspectConfig(writeConfig());
    const core = openCore(loaded.config, createSilentLogger());
    try {
      const live = {
        state: 'connected' as const,
        connectedSince: '2025-06-01T08:00:00.000Z',
        window: 5,
        lastError: 'connack timeout',
      };
      registerStatus(core, loaded, { services: () => [], cameras: () => [], recorders: () => [] }, () => live);
      const status = statusSchema.parse(await core.registry.dispatch('status', {}, { progress: () => {} }));
      expect(status.sync).toMatchObject({
        link: { ...live, broker: 'mqtt://127.0.0.1:1883' },
        cursor: null,
        backlog: { events: 5 },
        lastSync: null,
        files: { pending: 1 },
      });
    } finally {
      core.journal.close();
    }
  });

  describe('times without a trustworthy clock', () => {
    const status = (): ReturnType<typeof collectSyncStatus> =>
      collectSyncStatus({ journal, clock, brokerUrl: 'mqtts://broker.example:8883' });

    it('measures the oldest unacknowledged event by the monotonic clock within its boot, whatever the wall clock says', () => {
      clock.advance(90_000);
      clock.jumpWall(-10 * 86_400_000);
      clock.state = 'unsynced';
      expect(status().backlog.oldestAgeSeconds).toBe(90);
    });

    it('cannot tell the age of an event of an earlier boot until this boot’s clock is right', () => {
      clock.reboot(3_600_000);
      clock.state = 'unsynced';
      expect(status().backlog.oldestAgeSeconds).toBeNull();
      // The center's time (or NTP) synchronised this boot earlier: the age is known again.
      recordCorrection(journal.db, {
        bootId: clock.bootId,
        syncWallMs: clock.wallMs,
        syncMonoMs: clock.monoMs,
        source: 'county-center',
        seq: 5,
      });
      clock.advance(60_000);
      expect(status().backlog.oldestAgeSeconds).toBe(3_660);
    });

    it('without the center’s time, places the last sync by the monotonic distance to when it was recorded', () => {
      const fifth = journal.read(4, 1)[0]!;
      journal.anchor({ seq: 5, hash: fifth.hash });
      const recordedAt = clock.wallMs;
      clock.advance(30_000);
      expect(status()).toMatchObject({
        backlog: { events: 0, oldestAgeSeconds: null },
        lastSync: new Date(recordedAt).toISOString(),
      });
      clock.reboot(1000);
      clock.state = 'unsynced';
      expect(status().lastSync).toBeNull();
    });
  });

  it('shows a broker URL without its credentials', () => {
    expect(brokerForDisplay('mqtts://yx:p%40ss@mqtt.county.example:8883')).toBe('mqtts://mqtt.county.example:8883');
    expect(brokerForDisplay('wss://yx:pw@mqtt.county.example/mqtt')).toBe('wss://mqtt.county.example/mqtt');
    expect(brokerForDisplay('mqtts://mqtt.county.example:8883')).toBe('mqtts://mqtt.county.example:8883');
  });
});
