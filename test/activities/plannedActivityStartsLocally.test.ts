import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activityHarness, plan, type ActivityHarness } from './harness.js';
import { stringContaining } from '../helpers/matchers.js';

const MINUTE = 60_000;

describe('a planned activity starts locally at its time, with no link', () => {
  let h: ActivityHarness;
  beforeEach(() => (h = activityHarness()));
  afterEach(() => h.close());

  it('does not start before its time and starts at it, announcing on the bus', () => {
    h.plans.add(plan(), 'center');
    h.clock.advance(MINUTE - 1);
    h.scheduler.check();
    expect(h.activities.current()).toBeUndefined();

    h.clock.advance(1);
    h.scheduler.check();
    const running = h.activities.current();
    expect(running).toMatchObject({
      type: 'theme-party-day',
      title: '7月主题党日',
      source: 'plan',
      planId: 'P-2025-07-05',
      photos: 3,
      recording: true,
      durationMin: 90,
      lateByMs: 0,
    });
    expect(h.plans.list()[0]).toMatchObject({ state: 'started', activityId: running!.id });
    expect(h.events('activity.started').map((entry) => entry.payload)).toEqual([
      {
        activityId: running!.id,
        type: 'theme-party-day',
        title: '7月主题党日',
        source: 'plan',
        planId: 'P-2025-07-05',
        photos: 3,
        recording: true,
        recordingUpload: 'on-request',
        durationMin: 90,
        lateByMs: 0,
      },
    ]);
    expect(h.announced).toEqual([{ event: 'activity.started', seq: running!.startedSeq }]);
  });

  it('starts when a wall-clock correction jumps past its time', () => {
    h.plans.add(plan(), 'center');
    h.clock.jumpWall(10 * MINUTE);
    h.scheduler.check();
    expect(h.activities.current()).toMatchObject({ planId: 'P-2025-07-05', lateByMs: 9 * MINUTE });
  });

  it('starts late within its window after the agent was down, and is missed after it', () => {
    h.plans.add(plan(), 'center');
    h.plans.add(plan({ id: 'P-short', startsAt: '2025-07-05T08:00:00+08:00', durationMin: 30 }), 'center');
    h.clock.advance(31 * MINUTE);
    h.scheduler.check();
    expect(h.activities.current()).toMatchObject({ planId: 'P-2025-07-05', lateByMs: 30 * MINUTE });
    expect(h.plans.list().map(({ plan: { id }, state }) => ({ id, state }))).toEqual([
      { id: 'P-short', state: 'missed' },
      { id: 'P-2025-07-05', state: 'started' },
    ]);
    expect(h.events('activity.plan_missed').map((entry) => entry.payload)).toEqual([
      { planId: 'P-short', reason: 'its time window passed while the agent was not running' },
    ]);
  });

  it('waits while another activity runs, starts when it ends, or is missed naming it', () => {
    h.plans.add(plan(), 'center');
    h.plans.add(plan({ id: 'P-later', startsAt: '2025-07-05T12:00:00+08:00', durationMin: 60 }), 'center');
    const manual = h.activities.start({ type: 'study', title: 'Evening study', photos: 0, recording: false }, 'cli');
    h.clock.advance(2 * MINUTE);
    h.scheduler.check();
    expect(h.activities.current()?.id).toBe(manual.id);

    h.activities.end({ reason: 'done' });
    h.scheduler.check();
    expect(h.activities.current()).toMatchObject({ planId: 'P-2025-07-05' });
    h.activities.end({ reason: 'done' });

    const blocker = h.activities.start({ type: 'study', title: 'Long study', photos: 0, recording: false }, 'cli');
    h.clock.advance(3 * 60 * MINUTE);
    h.scheduler.check();
    h.clock.advance(61 * MINUTE);
    h.scheduler.check();
    expect(h.plans.list().find((record) => record.plan.id === 'P-later')?.state).toBe('missed');
    expect(h.events('activity.plan_missed').at(-1)?.payload).toEqual({
      planId: 'P-later',
      reason: stringContaining(`id ${blocker.id}`),
    });
  });

  it('never starts a cancelled plan', () => {
    h.plans.add(plan(), 'center');
    h.plans.cancel('P-2025-07-05', 'township moved the meeting');
    h.clock.advance(2 * MINUTE);
    h.scheduler.check();
    expect(h.activities.current()).toBeUndefined();
    expect(h.events('activity.plan_cancelled').map((entry) => entry.payload)).toEqual([
      { planId: 'P-2025-07-05', reason: 'township moved the meeting' },
    ]);
  });
});
