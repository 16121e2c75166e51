import type { ClockReading } from './types.js';

/** A moment as it was stamped: both clocks and the boot they belong to. */
export interface StampedMoment {
  wallMs: number;
  monoMs: number;
  bootId: string;
}

/**
 * Time since a stamped moment: on the monotonic clock within the same boot (wall-clock corrections
 * do not move it), on the wall clock across a reboot, where monotonic times do not compare.
 */
export function elapsedSince(
  start: StampedMoment,
  now: ClockReading,
): { elapsedMs: number; timeBase: 'monotonic' | 'wall' } {
  return start.bootId === now.bootId
    ? { elapsedMs: now.monoMs - start.monoMs, timeBase: 'monotonic' }
    : { elapsedMs: now.wallMs - start.wallMs, timeBase: 'wall' };
}
