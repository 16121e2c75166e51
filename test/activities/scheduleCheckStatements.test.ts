import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { activityHarness, plan, type ActivityHarness } from './harness.js';

const MINUTE = 60_000;

/** The scheduler checks every second for as long as the daemon runs: its queries compile once. */
describe('the schedule check', () => {
  let h: ActivityHarness;
  beforeEach(() => (h = activityHarness()));
  afterEach(() => {
    vi.restoreAllMocks();
    h.close();
  });

  it('prepares no SQL statement after its first pass, with plans scheduled and an activity running', () => {
    h.plans.add(plan({ id: 'P-now', startsAt: '2025-07-05T08:59:00+08:00', durationMin: 60 }), 'center');
    h.plans.add(plan({ id: 'P-later', startsAt: '2025-07-06T09:00:00+08:00' }), 'center');
    h.scheduler.check();
    expect(h.activities.current()).toMatchObject({ planId: 'P-now' });

    const prepare = vi.spyOn(h.journal.db, 'prepare');
    for (let second = 0; second < 50; second++) {
      h.clock.advance(1_000);
      h.scheduler.check();
    }
    expect(h.activities.current()).toMatchObject({ planId: 'P-now' });
    expect(prepare).not.toHaveBeenCalled();
    h.clock.advance(60 * MINUTE);
    h.scheduler.check();
    expect(h.activities.current()).toBeUndefined();
  });
});
