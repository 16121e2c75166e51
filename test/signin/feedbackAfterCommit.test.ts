import { describe, expect, it } from 'vitest';
import { PINS, useRigs } from './rig.js';

/** Longer than the longest pause inside any feedback pattern (300 ms). */
const QUIET_MS = 500;

describe('feedback and the journal', () => {
  const rig = useRigs();

  it.each(['r30x', 'gt521'] as const)('writes no feedback pin before the sign-in is committed (%s)', async (family) => {
    const room = await rig(family);
    await room.enroll([{ memberId: 'm-021', fingers: [{ slot: 2, finger: 'guo-right-index' }] }]);
    const committedAt = new Map<string, number>();
    room.bus.on('test', 'journal.appended', ({ type }) => committedAt.set(type, performance.now()));
    const lines = [PINS.greenLed, PINS.redLed, PINS.buzzer].map((bcm) => room.gpio.outputs.get(bcm)!);
    const writesSince = (since: number): number[] =>
      lines.flatMap((line) => line.writes.filter((write) => write.at >= since).map((write) => write.at));

    // A pattern still playing from the previous finger (the accepted light stays on a second) would
    // write during the next sign-in, before its commit, on a machine slow enough: every line off
    // for longer than any pattern's pause means the last one has finished.
    const lastWriteAt = (): number => Math.max(0, ...lines.flatMap((line) => line.writes.map((write) => write.at)));
    const patternsDone = (): boolean =>
      lines.every((line) => line.value === 0) && performance.now() - lastWriteAt() > QUIET_MS;

    for (const [finger, type] of [
      ['guo-right-index', 'signin.accepted'],
      ['stranger-left-thumb', 'signin.unknown'],
    ] as const) {
      await room.until(patternsDone, 'the previous feedback pattern finishing');
      const placedAt = performance.now();
      await room.touch(finger);
      expect(committedAt.get(type)).toBeGreaterThan(placedAt);
      const writes = writesSince(placedAt);
      expect(writes.length).toBeGreaterThan(0);
      expect(Math.min(...writes)).toBeGreaterThanOrEqual(committedAt.get(type)!);
    }
  });
});
