/**
 * Whether a camera's push is wanted now: a pure function of the camera's push mode and the
 * events that touch it (activities starting and ending, the center's start and stop commands).
 * The push supervisor asks it every second, so an on-demand expiry needs no timer of its own.
 */

export type PushMode = 'activity' | 'always' | 'on-demand';

/** What a push supervisor should do: push, rest (nothing asks for a push), or stay stopped by the center. */
export type PushWish = 'push' | 'idle' | 'stopped';

export interface PushPolicyState {
  readonly mode: PushMode;
  /** An activity runs (activity.started seen, activity.ended not yet). */
  readonly inActivity: boolean;
  /** The center's `stop` holds until the next start event. */
  readonly stoppedByCenter: boolean;
  /** Until when a center `start` keeps the push up without an activity (ms, the caller's clock); null when none. */
  readonly demandUntilMs: number | null;
}

export type PushEvent =
  | { kind: 'activity-started' }
  | { kind: 'activity-ended' }
  | { kind: 'start-command'; nowMs: number }
  | { kind: 'stop-command' };

/**
 * The state after the agent starts: a center `stop` does not outlive the agent (its own start
 * counts as a start event), and an activity already running is pushed.
 */
export function initialPushState(mode: PushMode, inActivity: boolean): PushPolicyState {
  return { mode, inActivity, stoppedByCenter: false, demandUntilMs: null };
}

/** The state after `event`; `onDemandMinutes` is how long a center `start` holds without an activity. */
export function applyPushEvent(state: PushPolicyState, event: PushEvent, onDemandMinutes: number): PushPolicyState {
  switch (event.kind) {
    case 'activity-started':
      return { ...state, inActivity: true, stoppedByCenter: false };
    case 'activity-ended':
      return { ...state, inActivity: false };
    case 'stop-command':
      return { ...state, stoppedByCenter: true, demandUntilMs: null };
    case 'start-command': {
      // Inside an activity (mode activity) or in mode always the push needs no expiry: it has its own end.
      const needsExpiry = state.mode === 'on-demand' || (state.mode === 'activity' && !state.inActivity);
      return {
        ...state,
        stoppedByCenter: false,
        demandUntilMs: needsExpiry ? event.nowMs + onDemandMinutes * 60_000 : state.demandUntilMs,
      };
    }
  }
}

export function pushWish(state: PushPolicyState, nowMs: number): PushWish {
  if (state.stoppedByCenter) return 'stopped';
  const demanded = state.demandUntilMs !== null && nowMs < state.demandUntilMs;
  switch (state.mode) {
    case 'always':
      return 'push';
    case 'activity':
      return state.inActivity || demanded ? 'push' : 'idle';
    case 'on-demand':
      return demanded ? 'push' : 'idle';
  }
}
