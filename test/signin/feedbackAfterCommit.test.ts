import { describe, expect, it } from 'vitest';
import { PINS, useRigs } from './rig.js';

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

    for (const [finger, type] of [
      ['guo-right-index', 'signin.accepted'],
      ['stranger-left-thumb', 'signin.unknown'],
    ] as const) {
      const placedAt = performance.now();
      await room.touch(finger);
      expect(committedAt.get(type)).toBeGreaterThan(placedAt);
      const writes = writesSince(placedAt);
      expect(writes.length).toBeGreaterThan(0);
      expect(Math.min(...writes)).toBeGreaterThanOrEqual(committedAt.get(type)!);
    }
  });
});
