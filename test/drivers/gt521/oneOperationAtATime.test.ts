import { describe, expect, it } from 'vitest';
import type { IdentifyOutcome } from '../../../drivers/scanner.js';
import { memberFollowingPrompts, useScanners } from './scannerHarness.js';

describe('GT-521F scanner runs one operation at a time', () => {
  const start = useScanners();

  it('holds an identify asked for mid-enrollment until the enrollment has stored its finger', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    const member = memberFollowingPrompts(emulator, [{ finger: 'pia-right-index' }]);
    let identifying: Promise<IdentifyOutcome> | undefined;
    const enrolling = scanner.enroll({
      slot: 4,
      prompt: (prompt) => {
        member.prompt(prompt);
        // Between the scans: an identify here would switch the light off under the enrollment
        // and capture into the image buffer the next Enroll step reads.
        if (prompt.step === 'captured' && prompt.scan === 1) identifying = scanner.identify();
      },
    });
    await enrolling;
    expect(identifying).toBeDefined();
    // The finger is still on the sensor after scan 3, so the identify that waited sees it enrolled.
    await expect(identifying).resolves.toEqual({ kind: 'match', slot: 4, score: 0 });
    expect((await emulator.state()).slots).toEqual({ '4': 'pia-right-index' });
  });
});
