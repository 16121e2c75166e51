import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { syncStatusLines } from '../../src/cli/commands/syncStatusText.js';
import { withLanguage } from '../../src/i18n.js';
import { ByteRateLimiter } from '../../src/sync/rateLimiter.js';
import type { SyncStatus } from '../../src/sync/health/syncStatus.js';
import {
  BUDGET_PERIOD_MS,
  PUSH_OVERHEAD,
  UPLINK_MARGIN,
  UplinkBudgetApplier,
  uplinkBudget,
  type UplinkBudgetSettings,
} from '../../src/sync/uplinkBudget.js';

/** A 1 Mbit/s 4G uplink, the schema's default cap and floor. */
const FOUR_G: UplinkBudgetSettings = {
  capBytesPerSecond: 65_536,
  uplinkBytesPerSecond: 125_000,
  floorBytesPerSecond: 4096,
};
/** What the uplink leaves with a push of `kbps` on it, before cap and floor. */
const left = (kbps: number): number =>
  Math.floor(FOUR_G.uplinkBytesPerSecond * (1 - UPLINK_MARGIN) - (kbps * 1000 * PUSH_OVERHEAD) / 8);

describe('the uplink budget for backlog and files', () => {
  it('is the cap while no push is live, and when the capacity is unknown', () => {
    expect(uplinkBudget(FOUR_G, undefined)).toBe(65_536);
    expect(uplinkBudget({ ...FOUR_G, capBytesPerSecond: 0 }, undefined)).toBe(0);
    expect(uplinkBudget({ ...FOUR_G, uplinkBytesPerSecond: 0 }, 800)).toBe(65_536);
    expect(uplinkBudget({ ...FOUR_G, uplinkBytesPerSecond: 0, capBytesPerSecond: 0 }, 800)).toBe(0);
  });

  it('is what a live push leaves of the uplink, with its overhead and the margin, when that is below the cap', () => {
    expect(left(500)).toBeLessThan(65_536);
    expect(uplinkBudget(FOUR_G, 500)).toBe(left(500));
    // Without a cap the budget is what the push leaves.
    expect(uplinkBudget({ ...FOUR_G, capBytesPerSecond: 0 }, 150)).toBe(left(150));
    // Two pushes count together.
    expect(uplinkBudget({ ...FOUR_G, capBytesPerSecond: 0 }, 150 + 150)).toBe(left(300));
  });

  it('keeps the cap when the push leaves more than it', () => {
    expect(left(150)).toBeGreaterThan(65_536);
    expect(uplinkBudget(FOUR_G, 150)).toBe(65_536);
  });

  it('never goes below the floor, even when the push takes the whole uplink, nor above a cap lower than the floor', () => {
    expect(uplinkBudget(FOUR_G, 2000)).toBe(4096);
    expect(uplinkBudget({ ...FOUR_G, capBytesPerSecond: 0 }, 5000)).toBe(4096);
    expect(uplinkBudget({ ...FOUR_G, capBytesPerSecond: 2048 }, 2000)).toBe(2048);
  });
});

describe('the uplink budget applied to the limiter', () => {
  let limiter: ByteRateLimiter;
  let applier: UplinkBudgetApplier | undefined;
  let pushKbps: number | undefined;

  beforeEach(() => {
    vi.useFakeTimers();
    limiter = new ByteRateLimiter(0, () => Date.now());
    pushKbps = undefined;
  });

  afterEach(() => {
    applier?.stop();
    limiter.close(new Error('test over'));
    vi.useRealTimers();
  });

  const start = (settings: UplinkBudgetSettings): UplinkBudgetApplier => {
    applier = new UplinkBudgetApplier({ settings, limiter, pushKbps: () => pushKbps });
    applier.start();
    return applier;
  };

  it('follows the push within a period: capped while it is live, the cap again once it ends', async () => {
    const budget = start({ ...FOUR_G, capBytesPerSecond: 0 });
    expect(budget.report()).toEqual({ bytesPerSecond: 0 });
    pushKbps = 500;
    await vi.advanceTimersByTimeAsync(BUDGET_PERIOD_MS);
    expect(limiter.rate).toBe(left(500));
    expect(budget.report()).toEqual({ bytesPerSecond: left(500), pushKbps: 500 });
    pushKbps = undefined;
    await vi.advanceTimersByTimeAsync(BUDGET_PERIOD_MS);
    expect(limiter.rate).toBe(0);
  });

  it('holds a backfill waiting under the budget to the new rate, and lets it go when the push ends', async () => {
    pushKbps = 2000;
    start({ ...FOUR_G, capBytesPerSecond: 0 });
    // The cap came on an uncapped limiter: its bucket starts empty, the take waits a second.
    expect(limiter.rate).toBe(4096);
    let granted = false;
    void limiter.take(4096).then(() => (granted = true));
    await vi.advanceTimersByTimeAsync(BUDGET_PERIOD_MS / 2);
    expect(granted).toBe(false);
    pushKbps = undefined;
    await vi.advanceTimersByTimeAsync(BUDGET_PERIOD_MS / 2);
    expect(granted).toBe(true);
  });

  it('does nothing without a known capacity: the cap stays, no timer runs, status shows no budget', () => {
    limiter.setRate(65_536);
    pushKbps = 2000;
    const budget = start({ ...FOUR_G, uplinkBytesPerSecond: 0 });
    expect(limiter.rate).toBe(65_536);
    expect(vi.getTimerCount()).toBe(0);
    expect(budget.report()).toBeUndefined();
  });
});

describe('the uplink budget in room-agent status', () => {
  const sync = (budget: NonNullable<SyncStatus['link']['budget']>): SyncStatus => ({
    link: { state: 'connected', broker: 'mqtt://127.0.0.1:1883', budget },
    cursor: null,
    backlog: { events: 0, oldestAgeSeconds: null },
    lastSync: null,
    files: { pending: 0 },
  });

  it('says the rate and the push in both languages', () => {
    expect(withLanguage('en', () => syncStatusLines(sync({ bytesPerSecond: 80_400, pushKbps: 152.4 }))[1])).toBe(
      'uplink budget: 80.4 kB/s (push 152 kbit/s)',
    );
    expect(withLanguage('zh', () => syncStatusLines(sync({ bytesPerSecond: 80_400, pushKbps: 152.4 }))[1])).toBe(
      '上行预算：80.4 kB/s（推流占用 152 kbit/s）',
    );
    expect(withLanguage('en', () => syncStatusLines(sync({ bytesPerSecond: 0 }))[1])).toBe('uplink budget: no cap');
  });
});
