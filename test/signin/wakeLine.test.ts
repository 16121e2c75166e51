import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useRigs } from './rig.js';

const WAKE_PIN = 26;

describe('with the R503 touch line wired (scanner.wakeGpio)', () => {
  const rig = useRigs();

  it('leaves the module alone until a touch, then signs in', async () => {
    const room = await rig('r30x', { model: 'r503', scanner: { wakeGpio: WAKE_PIN } });
    await room.enroll([{ memberId: 'm-061', fingers: [{ slot: 6, finger: 'xu-right-index' }] }]);
    const touchLine = room.gpio.inputs.get(WAKE_PIN)!;
    // The module pulls its touch output low while a finger is on the sensor.
    expect(touchLine.options.activeLow).toBe(true);
    const captures = room.emulator.commandCount('GenImg');
    await room.emulator.place('xu-right-index');
    // Ten poll intervals without a touch: no capture, no sign-in.
    await sleep(500);
    expect(room.emulator.commandCount('GenImg')).toBe(captures);
    touchLine.change(1);
    await room.until(() => room.signals.length === 1, 'the sign-in after the touch');
    expect(room.signals).toEqual(['accepted']);
    expect(room.entries('signin.accepted')).toHaveLength(1);
    await room.stop();
    expect(touchLine.closed).toBe(true);
  });
});
