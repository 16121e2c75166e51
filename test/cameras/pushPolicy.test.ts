import { describe, expect, it } from 'vitest';
import {
  applyPushEvent,
  initialPushState,
  pushWish,
  type PushEvent,
  type PushMode,
  type PushPolicyState,
} from '../../src/cameras/pushPolicy.js';

const MINUTE = 60_000;
const ON_DEMAND_MINUTES = 30;

function after(mode: PushMode, events: PushEvent[], inActivity = false): PushPolicyState {
  return events.reduce(
    (state, event) => applyPushEvent(state, event, ON_DEMAND_MINUTES),
    initialPushState(mode, inActivity),
  );
}

const started: PushEvent = { kind: 'activity-started' };
const ended: PushEvent = { kind: 'activity-ended' };
const stop: PushEvent = { kind: 'stop-command' };
const start = (nowMs: number): PushEvent => ({ kind: 'start-command', nowMs });

describe('mode activity', () => {
  it('pushes from an activity start to its end', () => {
    expect(pushWish(after('activity', []), 0)).toBe('idle');
    expect(pushWish(after('activity', [started]), 0)).toBe('push');
    expect(pushWish(after('activity', [started, ended]), 0)).toBe('idle');
  });

  it('pushes an activity that was already running when the agent started', () => {
    expect(pushWish(after('activity', [], true), 0)).toBe('push');
  });

  it('a center start outside an activity pushes until the on-demand expiry', () => {
    const state = after('activity', [start(1000)]);
    expect(pushWish(state, 1000)).toBe('push');
    expect(pushWish(state, 1000 + ON_DEMAND_MINUTES * MINUTE - 1)).toBe('push');
    expect(pushWish(state, 1000 + ON_DEMAND_MINUTES * MINUTE)).toBe('idle');
  });

  it('a center start inside an activity sets no expiry: the push ends with the activity', () => {
    const state = after('activity', [started, start(0)]);
    expect(state.demandUntilMs).toBeNull();
    expect(pushWish(state, 10 * ON_DEMAND_MINUTES * MINUTE)).toBe('push');
    expect(pushWish(applyPushEvent(state, ended, ON_DEMAND_MINUTES), 0)).toBe('idle');
  });

  it('a center stop ends the push during an activity until the next start event', () => {
    expect(pushWish(after('activity', [started, stop]), 0)).toBe('stopped');
    // The activity's end does not undo the stop; the next activity does.
    expect(pushWish(after('activity', [started, stop, ended]), 0)).toBe('stopped');
    expect(pushWish(after('activity', [started, stop, ended, started]), 0)).toBe('push');
    expect(pushWish(after('activity', [started, stop, start(0)]), 0)).toBe('push');
  });

  it('a center stop cancels an on-demand push outside an activity', () => {
    const state = after('activity', [start(0), stop]);
    expect(state.demandUntilMs).toBeNull();
    expect(pushWish(state, 1)).toBe('stopped');
  });
});

describe('mode always', () => {
  it('pushes from the agent start, with or without activities', () => {
    expect(pushWish(after('always', []), 0)).toBe('push');
    expect(pushWish(after('always', [started, ended]), 0)).toBe('push');
  });

  it('a center stop holds until a start command or an activity start', () => {
    expect(pushWish(after('always', [stop]), 0)).toBe('stopped');
    expect(pushWish(after('always', [stop, ended]), 0)).toBe('stopped');
    expect(pushWish(after('always', [stop, started]), 0)).toBe('push');
    const restarted = after('always', [stop, start(0)]);
    expect(restarted.demandUntilMs).toBeNull();
    expect(pushWish(restarted, 100 * ON_DEMAND_MINUTES * MINUTE)).toBe('push');
  });

  it("the agent's own start is a start event: a stop does not outlive the agent", () => {
    expect(after('always', [stop]).stoppedByCenter).toBe(true);
    expect(pushWish(initialPushState('always', false), 0)).toBe('push');
  });
});

describe('mode on-demand', () => {
  it('pushes only after a start command, until the expiry', () => {
    expect(pushWish(after('on-demand', []), 0)).toBe('idle');
    const state = after('on-demand', [start(5000)]);
    expect(pushWish(state, 5000)).toBe('push');
    expect(pushWish(state, 5000 + ON_DEMAND_MINUTES * MINUTE)).toBe('idle');
  });

  it('activities do not push it', () => {
    expect(pushWish(after('on-demand', [started]), 0)).toBe('idle');
  });

  it('a second start command extends the expiry from its own time', () => {
    const state = after('on-demand', [start(0), start(20 * MINUTE)]);
    expect(pushWish(state, 45 * MINUTE)).toBe('push');
    expect(pushWish(state, 50 * MINUTE)).toBe('idle');
  });

  it('a stop ends the push before the expiry; an activity start does not bring it back', () => {
    expect(pushWish(after('on-demand', [start(0), stop]), 1)).toBe('stopped');
    expect(pushWish(after('on-demand', [start(0), stop, started]), 1)).toBe('idle');
  });
});
