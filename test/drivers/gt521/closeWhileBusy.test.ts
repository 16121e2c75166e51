import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { useScanners } from './scannerHarness.js';

// A patient Identify1_N bound: only close() itself can end the wait within the test's bound.
const patient = { timeouts: { match: 30_000 } };

describe('GT-521F scanner closed while a command waits for the module', () => {
  const start = useScanners();

  it('ends an awaited Identify at once with TransportClosed instead of waiting for its timeout', async () => {
    const { emulator, scanner } = await start({}, patient);
    await scanner.open();
    await emulator.storeTemplate(2, 'olga-left-index');
    await emulator.place('olga-left-index');
    await emulator.hold('Identify1_N');
    const identifying = scanner.identify();
    identifying.catch(() => undefined);
    await emulator.waitForEvent((event) => event.event === 'held', 5_000, 'the held Identify1_N');

    const closingAt = performance.now();
    await scanner.close();
    // Generous bound, far below the 30 s Identify1_N timeout: close() did not queue behind it.
    expect(performance.now() - closingAt).toBeLessThan(2_000);
    await expect(identifying).rejects.toMatchObject({ code: DriverErrorCode.TransportClosed });
  });
});
