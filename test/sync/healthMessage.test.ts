import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordCorrection } from '../../src/clock/corrections.js';
import type { Journal } from '../../src/journal/journal.js';
import { buildHealthMessage, type HealthSources } from '../../src/sync/health/healthMessage.js';
import { healthMessageSchema } from '../../src/sync/protocol/messages.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { appendSignIns, openJournal } from '../journal/helpers.js';

describe('buildHealthMessage', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let clock: FakeClock;
  let journal: Journal;
  let scanner: { state: string; detail: string | undefined };

  function sources(overrides: Partial<HealthSources> = {}): HealthSources {
    return {
      deviceId: 'yx-hongqi-01',
      version: '0.4.0',
      clock,
      journal,
      uptimeSeconds: () => 3600.4,
      scanner: { state: () => scanner.state, stateDetail: () => scanner.detail, driver: () => 'r30x' },
      cameras: () => [],
      board: () => ({ disk: { freeBytes: 5e9, totalBytes: 3.2e10 }, cpuTemperatureC: 51.5, throttled: 0x50000 }),
      county: {},
      outbox: () => ({ ackedSeq: 2, backlogEvents: 3, oldestUnsentAgeSeconds: 42 }),
      files: () => ({ pendingFiles: 1 }),
      ...overrides,
    };
  }

  beforeEach(() => {
    temp = makeTempDir();
    clock = new FakeClock({ state: 'unsynced' });
    journal = openJournal(join(temp.dir, 'data'), clock);
    appendSignIns(journal, 5);
    scanner = { state: 'connected', detail: 'R503 v1.2' };
  });
  afterEach(() => {
    journal.close();
    temp.cleanup();
  });

  it('gathers every part from its source into a message the wire schema accepts', () => {
    const message = buildHealthMessage(sources());
    expect(healthMessageSchema.parse(message)).toEqual(message);
    const head = journal.head();
    expect(message).toEqual({
      v: 2,
      deviceId: 'yx-hongqi-01',
      version: '0.4.0',
      bootId: 'boot-a',
      wallMs: clock.wallMs,
      uptimeSeconds: 3600,
      clock: { state: 'unsynced' },
      journal: {
        headSeq: 5,
        headHash: head.hash,
        ackedSeq: 2,
        // Without the daemon's background verification: the check at open (of an empty journal), no full one yet.
        verification: {
          lastCheck: { mode: 'incremental', wallMs: clock.wallMs, checkedFrom: 1, checkedTo: 0, broken: null },
          lastFull: null,
          running: null,
        },
      },
      backlog: { events: 3, oldestUnsentAgeSeconds: 42, files: 1 },
      scanner: { state: 'connected', detail: 'R503 v1.2', driver: 'r30x' },
      cameras: [],
      disk: { freeBytes: 5e9, totalBytes: 3.2e10 },
      board: { cpuTemperatureC: 51.5, throttled: 0x50000 },
      link: { certExpiresAt: null, centerKey: 'none', warnings: [] },
    });
  });

  it("carries the daemon's verification: a full one under way, and a break found by the last one", () => {
    const verification = {
      lastCheck: { mode: 'incremental' as const, wallMs: 1, checkedFrom: 40, checkedTo: 41, broken: null },
      lastFull: {
        wallMs: 3,
        startedWallMs: 2,
        trigger: 'changed-while-stopped' as const,
        checkedFrom: 1,
        checkedTo: 5,
        broken: { seq: 6, reason: 'entry 6 was changed: its content no longer matches its hash' },
      },
      running: { trigger: 'daily' as const, startedWallMs: 4, checkedTo: 200 },
    };
    const message = buildHealthMessage(sources({ verification: () => verification }));
    expect(healthMessageSchema.parse(message).journal.verification).toEqual(verification);
  });

  it('names the source that synchronised this boot’s clock (the center, where NTP is blocked)', () => {
    const synced = clock.adoptWallTime(1_750_000_000_000);
    recordCorrection(journal.db, {
      bootId: synced.bootId,
      syncWallMs: synced.wallMs,
      syncMonoMs: synced.monoMs,
      source: 'county-center',
      seq: 5,
    });
    expect(buildHealthMessage(sources()).clock).toEqual({ state: 'synced', source: 'county-center' });
    // A correction of an earlier boot says nothing about this one.
    clock.reboot(60_000);
    clock.state = 'unsynced';
    expect(buildHealthMessage(sources()).clock).toEqual({ state: 'unsynced' });
  });

  it('says whether a center key guards member and configuration commands', () => {
    const message = buildHealthMessage(
      sources({ county: { centerPublicKey: 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=' } }),
    );
    expect(message.link.centerKey).toBe('configured');
  });

  it('keeps within the wire schema’s bounds: a long scanner detail and warning are cut, not refused', () => {
    scanner = { state: 'disconnected', detail: 'x'.repeat(2000) };
    const longPath = join(temp.dir, 'd'.repeat(200), 'c'.repeat(200), 'client.pem');
    const message = buildHealthMessage(sources({ county: { certFile: longPath } }));
    expect(healthMessageSchema.safeParse(message).success).toBe(true);
    expect(message.scanner.detail).toHaveLength(500);
    expect(message.link.warnings).toHaveLength(1);
    expect(message.link.warnings[0]).toMatch(/^county\.certFile .{250,}…$/);
    expect(message.link.warnings[0]).toHaveLength(300);
    expect(
      buildHealthMessage(sources({ board: () => ({ disk: null, cpuTemperatureC: null, throttled: null }) })),
    ).toMatchObject({
      disk: null,
      board: { cpuTemperatureC: null, throttled: null },
    });
  });

  it('carries the damaged-journal alarm while there is one, and says nothing of it otherwise', () => {
    const alarm = {
      at: 1_700_000_000_000,
      file: 'journal-2026-12-07T17-01-02-123Z.sqlite',
      reason: 'database disk image is malformed',
    };
    const raised = buildHealthMessage(sources({ quarantined: () => alarm }));
    expect(healthMessageSchema.parse(raised).journal.quarantined).toEqual(alarm);
    const quiet = buildHealthMessage(sources({ quarantined: () => undefined }));
    expect(healthMessageSchema.parse(quiet).journal).not.toHaveProperty('quarantined');
  });
});
