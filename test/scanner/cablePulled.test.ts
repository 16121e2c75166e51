import { describe, expect, it } from 'vitest';
import { useRigs } from '../signin/rig.js';
import { objectContaining } from '../helpers/matchers.js';

const IDENTIFY_COMMAND = { r30x: 'Search', gt521: 'Identify1_N' } as const;

describe.each(['r30x', 'gt521'] as const)('the %s scanner when its cable is pulled', (family) => {
  const rig = useRigs();

  it('loses nothing and doubles nothing when pulled while the identification reply is awaited', async () => {
    const room = await rig(family);
    await room.enroll([{ memberId: 'm-007', fingers: [{ slot: 7, finger: 'chen-right-index' }] }]);
    await room.emulator.hold(IDENTIFY_COMMAND[family]);
    await room.emulator.place('chen-right-index');
    await room.emulator.waitForEvent((event) => event.event === 'held', 5_000, 'the held identification reply');
    await room.emulator.unplug();
    await room.waitForState('disconnected');
    expect(room.entries('signin.accepted')).toHaveLength(0);

    // The member's finger is still on the sensor when the cable is back: one sign-in, not two.
    await room.emulator.replug();
    await room.waitForState('connected');
    await room.until(() => room.signals.includes('accepted'), 'the sign-in after the replug');
    await room.lift();
    expect(await room.touch('chen-right-index')).toBe('already');

    expect(room.entries('signin.accepted').map((entry) => entry.payload)).toEqual([
      objectContaining({ memberId: 'm-007', slot: 7 }),
    ]);
    expect(room.states.slice(room.states.indexOf('connected'))).toEqual(['connected', 'disconnected', 'connected']);
    // The member saw the fault while the scanner was gone, then the sign-in.
    expect(room.signals).toEqual(['fault', 'accepted', 'already']);
  });

  it('reconnects after a pull while idle and signs in as before', async () => {
    const room = await rig(family);
    await room.enroll([{ memberId: 'm-008', fingers: [{ slot: 8, finger: 'sun-left-index' }] }]);
    expect(await room.touch('sun-left-index')).toBe('accepted');

    await room.emulator.unplug();
    await room.waitForState('disconnected');
    expect(room.scanner.health().state).toBe('degraded');
    await room.emulator.replug();
    await room.waitForState('connected');
    expect(room.scanner.health().state).toBe('ok');

    expect(await room.touch('sun-left-index')).toBe('already');
    expect(room.entries('signin.accepted')).toHaveLength(1);
    // The module bound at the first connection is still the trusted one after the replug.
    expect(room.entries('scanner.bound')).toHaveLength(1);
    expect(room.entries('scanner.module_mismatch')).toHaveLength(0);
  });
});
