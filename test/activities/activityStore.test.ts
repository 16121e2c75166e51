import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { activityHarness, plan, type ActivityHarness } from './harness.js';
import { objectContaining } from '../helpers/matchers.js';

describe('the activity store', () => {
  let h: ActivityHarness;
  beforeEach(() => (h = activityHarness()));
  afterEach(() => h.close());

  it('refuses a second activity with an error naming the running one, and journals nothing for it', () => {
    const running = h.activities.start(
      { type: 'branch-meeting', title: 'Branch meeting', photos: 2, recording: false },
      'center',
    );
    const head = h.journal.head();
    expect(() => h.activities.start({ type: 'study', title: 'Study', photos: 0, recording: false }, 'cli')).toThrow(
      objectContaining({
        code: ErrorCode.ActivityConflict,
        message: `activity "Branch meeting" (branch-meeting, id ${running.id}, started ${new Date(running.startedWallMs).toISOString()}) is still running; end it first (room-agent activity end)`,
      }),
    );
    expect(h.journal.head()).toEqual(head);
    expect(h.activities.list(10)).toHaveLength(1);
  });

  it('writes each row with its event in one commit: row seqs are the events', () => {
    const started = h.activities.start({ type: 'study', title: 'Study', photos: 0, recording: false }, 'cli');
    const ended = h.activities.end({ reason: 'finished' });
    const [startEvent] = h.events('activity.started');
    const [endEvent] = h.events('activity.ended');
    expect(started.startedSeq).toBe(startEvent!.seq);
    expect(started.startedWallMs).toBe(startEvent!.wallMs);
    expect(started.startedMonoMs).toBe(startEvent!.monoMs);
    expect(ended).toMatchObject({ endedSeq: endEvent!.seq, endedWallMs: endEvent!.wallMs, endReason: 'finished' });
    expect(h.activities.list(10)).toEqual([ended]);
  });

  it('says clearly when there is nothing to end', () => {
    expect(() => h.activities.end({ reason: 'x' })).toThrow(
      objectContaining({ code: ErrorCode.ActivityNotFound, message: 'no activity is running' }),
    );
  });

  it('lists every problem of an invalid plan at once', () => {
    expect(() =>
      h.plans.add(plan({ type: 'party', startsAt: '2025-07-05 09:00', photos: undefined, extra: 1 }), 'cli'),
    ).toThrow(
      objectContaining({
        code: ErrorCode.ActivityPlanInvalid,
        message:
          'invalid activity plan: type: "party" is not one of theme-party-day, branch-meeting, committee-meeting, party-lesson, organizational-life, heart-to-heart, study, service, other; ' +
          'startsAt: "2025-07-05 09:00" is not an ISO 8601 time with an offset, e.g. 2025-07-05T09:00:00+08:00; photos: required; extra: unknown key',
      }),
    );
    expect(h.journal.head().seq).toBe(0);
  });

  it('takes the same plan twice as one, and refuses other content under a used id', () => {
    const first = h.plans.add(plan(), 'center');
    expect(h.plans.add(plan(), 'center')).toEqual(first);
    expect(h.events('activity.plan_received')).toHaveLength(1);
    expect(() => h.plans.add(plan({ title: 'Changed' }), 'center')).toThrow(
      objectContaining({
        code: ErrorCode.ActivityPlanInvalid,
        message:
          'plan P-2025-07-05 already exists (scheduled) with other content; cancel it and send the change under a new id',
      }),
    );
  });

  it('cancels only scheduled plans', () => {
    expect(() => h.plans.cancel('nope', 'x')).toThrow(
      objectContaining({ code: ErrorCode.ActivityNotFound, message: 'no activity plan with id nope' }),
    );
    h.plans.add(plan(), 'cli');
    h.plans.cancel('P-2025-07-05', 'moved');
    expect(() => h.plans.cancel('P-2025-07-05', 'again')).toThrow(
      objectContaining({
        code: ErrorCode.ActivityPlanInvalid,
        message: 'plan P-2025-07-05 is already cancelled; only a scheduled plan can be cancelled',
      }),
    );
  });
});
