import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activityHarness, plan, type ActivityHarness } from './harness.js';

const MINUTE = 60_000;

describe('an activity with a duration ends by itself', () => {
  let h: ActivityHarness;
  beforeEach(() => (h = activityHarness()));
  afterEach(() => h.close());

  it('after its duration on monotonic time, whatever the wall clock does meanwhile', () => {
    const started = h.activities.start(
      { type: 'party-lesson', title: 'Party lesson', photos: 1, recording: false, durationMin: 45 },
      'cli',
    );
    h.clock.advance(44 * MINUTE);
    h.clock.jumpWall(3 * 60 * MINUTE);
    h.scheduler.check();
    expect(h.activities.current()?.id).toBe(started.id);

    h.clock.jumpWall(-6 * 60 * MINUTE);
    h.clock.advance(MINUTE);
    h.scheduler.check();
    expect(h.activities.current()).toBeUndefined();
    const ended = h.events('activity.ended');
    expect(ended.map((entry) => entry.payload)).toEqual([
      { activityId: started.id, reason: 'duration', timeBase: 'monotonic' },
    ]);
    expect(h.announced.at(-1)).toEqual({ event: 'activity.ended', seq: ended[0]!.seq });
  });

  it('on the planned schedule when its plan started late', () => {
    h.plans.add(plan({ durationMin: 60 }), 'center');
    h.clock.advance(21 * MINUTE);
    h.scheduler.check();
    expect(h.activities.current()?.lateByMs).toBe(20 * MINUTE);

    h.clock.advance(40 * MINUTE - 1);
    h.scheduler.check();
    expect(h.activities.current()).toBeDefined();
    h.clock.advance(1);
    h.scheduler.check();
    expect(h.activities.current()).toBeUndefined();
  });

  it('across a reboot on wall time, and says so in its end event', () => {
    const started = h.activities.start(
      { type: 'study', title: 'Study', photos: 0, recording: false, durationMin: 60 },
      'cli',
    );
    h.clock.advance(20 * MINUTE);
    h.clock.reboot(10 * MINUTE);
    h.scheduler.check();
    expect(h.activities.current()?.id).toBe(started.id);

    h.clock.advance(30 * MINUTE - 1);
    h.scheduler.check();
    expect(h.activities.current()?.id).toBe(started.id);
    h.clock.advance(1);
    h.scheduler.check();
    expect(h.events('activity.ended').map((entry) => entry.payload)).toEqual([
      { activityId: started.id, reason: 'duration', timeBase: 'wall' },
    ]);
  });

  it('never, without a duration', () => {
    h.activities.start({ type: 'other', title: 'Open-ended', photos: 0, recording: false }, 'cli');
    h.clock.advance(7 * 24 * 60 * MINUTE);
    h.scheduler.check();
    expect(h.activities.current()).toMatchObject({ title: 'Open-ended', endedSeq: null });
  });
});
