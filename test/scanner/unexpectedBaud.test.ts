import { describe, expect, it } from 'vitest';
import { useRigs } from '../signin/rig.js';
import { objectContaining } from '../helpers/matchers.js';

/**
 * A module is not always at the speed the configuration names: an R30x someone set to 115200 on
 * the bench, a GT-521F still at the speed a previous process switched it to within this power
 * cycle. The agent's scanner service must find the module by probing, report the speed it really
 * talks at, and sign members in as usual.
 */
const CASES = [
  // An R30x keeps the speed it was found at: changing a flash setting is not the agent's call.
  { family: 'r30x', moduleBaud: 115_200, configuredBaud: 57_600, settledBaud: 115_200 },
  // A GT is switched to the configured speed once found (it forgets it at the next power-on).
  { family: 'gt521', moduleBaud: 57_600, configuredBaud: 115_200, settledBaud: 115_200 },
] as const;

describe.each(CASES)(
  'the $family scanner service with the module at $moduleBaud while the configuration says $configuredBaud',
  ({ family, moduleBaud, configuredBaud, settledBaud }) => {
    const rig = useRigs();

    it('connects by probing, reports the real speed, and signs a member in once', async () => {
      const room = await rig(family, { baudRate: moduleBaud, scanner: { baudRate: configuredBaud } });
      await room.waitForState('connected');

      // Host and module agree on the settled speed, and the service reports that speed rather
      // than the configured one it could not use at first.
      const wire = await room.emulator.state();
      expect([wire.baud, wire.hostBaud]).toEqual([settledBaud, settledBaud]);
      expect(room.scanner.info()?.baudRate).toBe(settledBaud);
      expect(room.scanner.health().state).toBe('ok');

      await room.enroll([{ memberId: 'm-115', fingers: [{ slot: 3, finger: 'zhao-right-thumb' }] }]);
      expect(await room.touch('zhao-right-thumb')).toBe('accepted');
      expect(room.entries('signin.accepted').map((entry) => entry.payload)).toEqual([
        objectContaining({ memberId: 'm-115', slot: 3 }),
      ]);
    });
  },
);
