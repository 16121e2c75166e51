import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activityHarness, plan, type ActivityHarness } from './harness.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * After a power cut without a link, fake-hwclock's wall time can be days off until the clock
 * syncs. Marking a plan missed cannot be undone, so that waits for the sync; starting one whose
 * time has come within its window does not (the meeting happens with the link down).
 */
describe('a planned activity while the wall clock is not synchronised', () => {
  let h: ActivityHarness;
  beforeEach(() => (h = activityHarness()));
  afterEach(() => h.close());

  it('is not marked missed on a clock that looks past its window, and starts once the sync puts the clock right', () => {
    h.plans.add(plan(), 'center');
    h.clock.state = 'unsynced';
    h.clock.jumpWall(2 * DAY);
    h.scheduler.check();
    h.scheduler.check();
    expect(h.plans.list()[0]).toMatchObject({ state: 'scheduled' });
    expect(h.events('activity.plan_missed')).toEqual([]);

    // The sync says it is really 09:05 on the meeting day.
    h.clock.adoptWallTime(Date.parse('2025-07-05T09:05:00+08:00'));
    h.scheduler.check();
    expect(h.activities.current()).toMatchObject({ planId: 'P-2025-07-05', lateByMs: 5 * MINUTE });
  });

  it('is marked missed once the synchronised clock confirms its window passed', () => {
    h.plans.add(plan(), 'center');
    h.clock.state = 'unsynced';
    h.clock.advance(2 * DAY);
    h.scheduler.check();
    expect(h.plans.list()[0]).toMatchObject({ state: 'scheduled' });

    h.clock.state = 'synced';
    h.scheduler.check();
    expect(h.plans.list()[0]).toMatchObject({ state: 'missed' });
    expect(h.events('activity.plan_missed').map((entry) => entry.payload)).toEqual([
      { planId: 'P-2025-07-05', reason: 'its time window passed while the agent was not running' },
    ]);
  });

  it('starts at its time within its window, synchronised or not', () => {
    h.plans.add(plan(), 'center');
    h.clock.state = 'unsynced';
    h.clock.advance(MINUTE + 10 * MINUTE);
    h.scheduler.check();
    expect(h.activities.current()).toMatchObject({ planId: 'P-2025-07-05', lateByMs: 10 * MINUTE });
  });
});
