import { describe, expect, it } from 'vitest';
import { useRigs } from '../signin/rig.js';

const POWER_PIN = 4;
/** Short enough that a silent module is given up on in about a second, not the production minutes. */
const IMPATIENT = { commands: { GenImg: 200, VfyPwd: 100 }, probeMs: 50, powerOnMs: 200, lateReplyMs: 20 };

describe('a fingerprint module that falls silent', () => {
  const rig = useRigs();

  it('is opened again, then power-cycled through scanner.powerGpio, and signs in again', async () => {
    const room = await rig('r30x', { scanner: { powerGpio: POWER_PIN }, timeouts: IMPATIENT });
    await room.enroll([{ memberId: 'm-051', fingers: [{ slot: 5, finger: 'lin-right-index' }] }]);
    const power = room.gpio.outputs.get(POWER_PIN)!;
    // Driven as an active-low cut line, so claiming it never switched the module off.
    expect(power.options).toEqual({ activeLow: true });
    expect(power.writes).toEqual([]);

    // The module stops answering: the next GenImg and everything after it (the driver's fresh
    // handshake, the service's re-open) go unanswered.
    await room.emulator.hold('GenImg');
    await room.until(() => power.writes.length > 0, 'the power cut');
    expect(room.scanner.state()).toBe('disconnected');
    // What the relay does to the module's supply.
    await room.emulator.powerCycle();
    await room.until(() => power.writes.length === 2, 'the power back on');
    expect(power.writes.map((write) => write.value)).toEqual([1, 0]);
    // Off for the datasheet's 2 s (less a timer's rounding).
    expect(power.writes[1]!.at - power.writes[0]!.at).toBeGreaterThan(1_950);

    await room.waitForState('connected');
    expect(await room.touch('lin-right-index')).toBe('accepted');
    expect(room.signals).toEqual(['fault', 'accepted']);
  });
});
