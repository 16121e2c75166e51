/**
 * When the photos of a meeting are due. Slots are numbered from 0; times count from the
 * activity's start (a plan's activity from its planned time, so a late start does not shift them).
 * With several photos the last slot is the end photo: taken when the activity ends, early or on
 * time, never at a computed time. The other slots are timed: spread evenly over the planned
 * duration (3 over a minute: 0 s, 30 s, end), or with no planned duration one every interval.
 */

export interface PhotoTerms {
  /** The activity's `photos` term: how many slots it has. */
  photos: number;
  /** The planned duration; undefined when the activity runs until it is ended. */
  durationMs: number | undefined;
  /** Between photos of an activity with no planned duration. */
  intervalMs: number;
}

/** A slot due at a time after the start; the end slot has none. */
export interface TimedSlot {
  slot: number;
  atMs: number;
}

/**
 * An end photo is still worth taking this long after the planned end: the activity scheduler ends
 * a meeting within seconds of it, so an end later than this means the agent was not running when
 * the meeting ended, and a photo now would show a room the meeting has left.
 */
export const END_PHOTO_GRACE_MS = 60_000;

/** The slot taken at the end, if the activity has one (a single photo is taken at the start only). */
export function endSlot(terms: PhotoTerms): number | undefined {
  return terms.photos >= 2 ? terms.photos - 1 : undefined;
}

/** The slots due at a time, in order. */
export function timedSlots(terms: PhotoTerms): TimedSlot[] {
  if (terms.photos <= 0) return [];
  if (terms.photos === 1) return [{ slot: 0, atMs: 0 }];
  const count = terms.photos - 1;
  const stepMs = terms.durationMs === undefined ? terms.intervalMs : terms.durationMs / (terms.photos - 1);
  return Array.from({ length: count }, (_, slot) => ({ slot, atMs: Math.round(slot * stepMs) }));
}

/** What to do now about the timed slots. */
export interface DueSlots {
  /** The slot to photograph now. */
  take: number | undefined;
  /** Slots whose time passed unphotographed (the agent was not running): recorded as missed, not taken. */
  missed: number[];
}

/**
 * The timed slots that are due `elapsedMs` after the start, given the slots already `done` (taken
 * or recorded missed, before a restart too). Of the slots whose time has come only the latest is
 * taken: after the agent was down, one catch-up photo, not a burst of photos of one moment. None is
 * taken once the planned duration is over: the meeting is ending (the scheduler ends it within a
 * second), and its end photo, if it has one, is the picture of that moment.
 */
export function dueSlots(terms: PhotoTerms, elapsedMs: number, done: ReadonlySet<number>): DueSlots {
  const past = timedSlots(terms)
    .filter(({ slot, atMs }) => atMs <= elapsedMs && !done.has(slot))
    .map(({ slot }) => slot);
  const over = terms.durationMs !== undefined && elapsedMs >= terms.durationMs;
  if (past.length === 0 || over) return { take: undefined, missed: past };
  return { take: past[past.length - 1], missed: past.slice(0, -1) };
}

/** What to do about the end slot when the activity ends `elapsedMs` after its start. */
export function endSlotAction(
  terms: PhotoTerms,
  elapsedMs: number,
  done: ReadonlySet<number>,
): { slot: number; action: 'take' | 'missed' } | undefined {
  const slot = endSlot(terms);
  if (slot === undefined || done.has(slot)) return undefined;
  const late = terms.durationMs !== undefined && elapsedMs > terms.durationMs + END_PHOTO_GRACE_MS;
  return { slot, action: late ? 'missed' : 'take' };
}
