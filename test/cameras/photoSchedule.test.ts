import { describe, expect, it } from 'vitest';
import {
  dueSlots,
  END_PHOTO_GRACE_MS,
  endSlot,
  endSlotAction,
  timedSlots,
  type PhotoTerms,
} from '../../src/cameras/photoSchedule.js';

const MINUTE = 60_000;
const threeOverAMinute: PhotoTerms = { photos: 3, durationMs: MINUTE, intervalMs: 20 * MINUTE };
const noDuration: PhotoTerms = { photos: 4, durationMs: undefined, intervalMs: 20 * MINUTE };

/** The slot due at each moment, taking every slot as it comes (a running agent). */
function takenOverTime(terms: PhotoTerms, untilMs: number, stepMs: number): Array<{ atMs: number; slot: number }> {
  const done = new Set<number>();
  const taken: Array<{ atMs: number; slot: number }> = [];
  for (let atMs = 0; atMs <= untilMs; atMs += stepMs) {
    const { take, missed } = dueSlots(terms, atMs, done);
    expect(missed).toEqual([]);
    if (take !== undefined) {
      done.add(take);
      taken.push({ atMs, slot: take });
    }
  }
  return taken;
}

describe('photo schedule', () => {
  it('spreads 3 photos over 1 minute: the start, 30 s, and the end', () => {
    expect(timedSlots(threeOverAMinute)).toEqual([
      { slot: 0, atMs: 0 },
      { slot: 1, atMs: 30_000 },
    ]);
    expect(endSlot(threeOverAMinute)).toBe(2);
    expect(takenOverTime(threeOverAMinute, 59_000, 1_000)).toEqual([
      { atMs: 0, slot: 0 },
      { atMs: 30_000, slot: 1 },
    ]);
    expect(endSlotAction(threeOverAMinute, MINUTE, new Set([0, 1]))).toEqual({ slot: 2, action: 'take' });
  });

  it('spreads 5 photos over 90 minutes evenly', () => {
    const terms = { photos: 5, durationMs: 90 * MINUTE, intervalMs: 20 * MINUTE };
    expect(timedSlots(terms).map(({ atMs }) => atMs / MINUTE)).toEqual([0, 22.5, 45, 67.5]);
    expect(endSlot(terms)).toBe(4);
  });

  it('takes no photo for photos: 0, and one at the start for photos: 1', () => {
    const none = { photos: 0, durationMs: MINUTE, intervalMs: MINUTE };
    expect(timedSlots(none)).toEqual([]);
    expect(dueSlots(none, 10 * MINUTE, new Set())).toEqual({ take: undefined, missed: [] });
    expect(endSlotAction(none, MINUTE, new Set())).toBeUndefined();
    const one = { photos: 1, durationMs: MINUTE, intervalMs: MINUTE };
    expect(takenOverTime(one, 2 * MINUTE, 1_000)).toEqual([{ atMs: 0, slot: 0 }]);
    expect(endSlotAction(one, MINUTE, new Set([0]))).toBeUndefined();
  });

  it('without a planned duration takes one at the start, one every interval, and the last at the end', () => {
    expect(takenOverTime(noDuration, 3 * 60 * MINUTE, 1_000)).toEqual([
      { atMs: 0, slot: 0 },
      { atMs: 20 * MINUTE, slot: 1 },
      { atMs: 40 * MINUTE, slot: 2 },
    ]);
    expect(endSlotAction(noDuration, 3 * 60 * MINUTE, new Set([0, 1, 2]))).toEqual({ slot: 3, action: 'take' });
  });

  it('takes the end photo when the activity ends early, leaving the unreached slots', () => {
    expect(endSlotAction(noDuration, 25 * MINUTE, new Set([0, 1]))).toEqual({ slot: 3, action: 'take' });
    expect(endSlotAction(threeOverAMinute, 10_000, new Set([0]))).toEqual({ slot: 2, action: 'take' });
  });

  it('after a restart takes none of the slots already done', () => {
    expect(dueSlots(threeOverAMinute, 31_000, new Set([0, 1]))).toEqual({ take: undefined, missed: [] });
    expect(dueSlots(threeOverAMinute, 31_000, new Set([0]))).toEqual({ take: 1, missed: [] });
    expect(endSlotAction(threeOverAMinute, MINUTE, new Set([0, 1, 2]))).toBeUndefined();
  });

  it('takes one catch-up photo for slots missed while the agent was down, the others are missed', () => {
    // Down from 10 to 65 minutes: slots 1 (20 min) and 2 (40 min) passed; the one for 60 is due.
    expect(dueSlots(noDuration, 65 * MINUTE, new Set([0]))).toEqual({ take: 2, missed: [1] });
    const long = { photos: 6, durationMs: undefined, intervalMs: 10 * MINUTE };
    expect(dueSlots(long, 35 * MINUTE, new Set([0]))).toEqual({ take: 3, missed: [1, 2] });
  });

  it('takes no catch-up once the planned duration is over: the end photo comes next', () => {
    expect(dueSlots(threeOverAMinute, 61_000, new Set([0]))).toEqual({ take: undefined, missed: [1] });
    const one = { photos: 1, durationMs: MINUTE, intervalMs: MINUTE };
    expect(dueSlots(one, 61_000, new Set())).toEqual({ take: undefined, missed: [0] });
  });

  it('records the end photo missed when the activity ended long after its planned end (the agent was down)', () => {
    expect(endSlotAction(threeOverAMinute, MINUTE + END_PHOTO_GRACE_MS, new Set([0, 1]))).toEqual({
      slot: 2,
      action: 'take',
    });
    expect(endSlotAction(threeOverAMinute, MINUTE + END_PHOTO_GRACE_MS + 1, new Set([0, 1]))).toEqual({
      slot: 2,
      action: 'missed',
    });
    // Without a planned duration there is no planned end to be late for.
    expect(endSlotAction(noDuration, 10 * 60 * MINUTE, new Set([0]))).toEqual({ slot: 3, action: 'take' });
  });
});
