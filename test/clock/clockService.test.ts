import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClockService } from '../../src/app/clockSync.js';
import { correctionForBoot, correctionsByBoot } from '../../src/clock/corrections.js';
import { retime } from '../../src/clock/retime.js';
import type { ClockSyncSource } from '../../src/clock/types.js';
import { EventBus } from '../../src/daemon/bus.js';
import { createSilentLogger } from '../../src/log.js';
import { useJournal } from '../journal/helpers.js';

/** A Pi after a power cut without a link: fake-hwclock restored a time hours behind the truth. */
const TRUE_WALL_AT_MONO_ZERO = 1_717_000_000_000;
const HOURS_BEHIND = 7 * 3_600_000;

class FakeSource implements ClockSyncSource {
  readonly name = 'fake-ntp';
  synced = false;
  isSynced(): boolean {
    return this.synced;
  }
}

describe('the clock service', () => {
  const j = useJournal();
  let source: FakeSource;
  let bus: EventBus;
  let service: ClockService;
  let synced: Array<{ source: string; seq: number }>;

  /** Moves both clocks; the wall clock is HOURS_BEHIND until sync() sets it right. */
  function at(monoMs: number): void {
    j.clock.monoMs = monoMs;
    j.clock.wallMs = TRUE_WALL_AT_MONO_ZERO + monoMs - (j.clock.state === 'synced' ? 0 : HOURS_BEHIND);
  }

  function sync(): void {
    source.synced = true;
    j.clock.state = 'synced';
    at(j.clock.monoMs);
  }

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    j.clock.state = 'unsynced';
    j.clock.bootId = 'boot-now';
    source = new FakeSource();
    bus = new EventBus();
    synced = [];
    bus.on('test', 'clock.synced', (event) => synced.push(event));
    service = new ClockService({
      clock: j.clock,
      source,
      journal: j.journal,
      bus,
      pollSeconds: 10,
      logger: createSilentLogger(),
    });
  });
  afterEach(() => {
    service.stop();
    vi.useRealTimers();
  });

  it('records the sync once, and unsynced events of the boot are re-timed by it within 1 ms, originals kept', () => {
    at(20_000);
    service.start();
    expect(service.health().state).toBe('degraded');
    const unsynced = [30_000, 45_500, 61_234].map((monoMs) => {
      at(monoMs);
      return j.journal.append('signin.accepted', { memberId: `m-${monoMs}` });
    });
    const rowsBefore = j.journal.db.prepare('SELECT * FROM events ORDER BY seq').all();

    at(90_000);
    sync();
    vi.advanceTimersByTime(10_000);
    vi.advanceTimersByTime(10_000);

    const [event] = j.journal.read(3, 10);
    expect(event).toMatchObject({
      seq: 4,
      type: 'clock.synced',
      clock: 'synced',
      payload: {
        bootId: 'boot-now',
        syncWallMs: TRUE_WALL_AT_MONO_ZERO + 90_000,
        syncMonoMs: 90_000,
        source: 'fake-ntp',
      },
    });
    expect(j.journal.head().seq).toBe(4);
    expect(synced).toEqual([{ source: 'fake-ntp', seq: 4 }]);
    expect(service.health().state).toBe('ok');
    const correction = correctionForBoot(j.journal.db, 'boot-now');
    expect(correction).toEqual({
      bootId: 'boot-now',
      syncWallMs: TRUE_WALL_AT_MONO_ZERO + 90_000,
      syncMonoMs: 90_000,
      source: 'fake-ntp',
      seq: 4,
    });

    for (const entry of unsynced) {
      const corrected = retime(entry, correction, 'boot-now');
      expect(corrected.quality).toBe('retimed');
      expect(Math.abs(corrected.wallMs - (TRUE_WALL_AT_MONO_ZERO + entry.monoMs))).toBeLessThanOrEqual(1);
    }
    expect(j.journal.db.prepare('SELECT * FROM events WHERE seq <= 3 ORDER BY seq').all()).toEqual(rowsBefore);
    expect(j.journal.verify('full').ok).toBe(true);
  });

  it('flags unsynced events of an earlier boot that never synced', () => {
    j.clock.bootId = 'boot-before-power-cut';
    at(5_000);
    const earlier = j.journal.append('signin.accepted', { memberId: 'm-1' });
    j.clock.bootId = 'boot-now';
    at(3_000);
    sync();
    service.start();
    const corrections = correctionsByBoot(j.journal.db);
    expect([...corrections.keys()]).toEqual(['boot-now']);
    expect(retime(earlier, corrections.get(earlier.bootId), 'boot-now')).toEqual({
      wallMs: earlier.wallMs,
      quality: 'not-retimeable',
    });
  });

  it('does not record a second correction when the daemon restarts within the boot', () => {
    sync();
    service.start();
    service.stop();
    service = new ClockService({
      clock: j.clock,
      source,
      journal: j.journal,
      bus,
      pollSeconds: 10,
      logger: createSilentLogger(),
    });
    service.start();
    vi.advanceTimersByTime(30_000);
    expect(j.journal.read(0, 10).filter((entry) => entry.type === 'clock.synced')).toHaveLength(1);
    expect(service.health().state).toBe('ok');
  });

  it("adopts the center's time when NTP never answers", () => {
    at(40_000);
    service.start();
    const unsynced = j.journal.append('signin.accepted', { memberId: 'm-1' });
    at(100_000);
    expect(service.reportExternalTime(TRUE_WALL_AT_MONO_ZERO + 100_000, 'center')).toBe(true);
    expect(service.reportExternalTime(TRUE_WALL_AT_MONO_ZERO + 200_000, 'center')).toBe(false);
    expect(synced).toEqual([{ source: 'center', seq: 2 }]);
    const corrected = retime(unsynced, correctionForBoot(j.journal.db, 'boot-now'), 'boot-now');
    expect(corrected).toEqual({ wallMs: TRUE_WALL_AT_MONO_ZERO + 40_000, quality: 'retimed' });
    expect(j.journal.append('a.b', {}).clock).toBe('synced');
  });
});
