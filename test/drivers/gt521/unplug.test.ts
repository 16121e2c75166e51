import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { useScanners } from './scannerHarness.js';
import { stringMatching } from '../../helpers/matchers.js';

describe('GT-521F cable pulled', () => {
  const start = useScanners();

  it('rejects an awaited Identify with Disconnected at once; opens again after a replug', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    await emulator.storeTemplate(5, 'ivan-right-index');
    const disconnects: Error[] = [];
    scanner.on('disconnected', (error: Error) => disconnects.push(error));

    await emulator.place('ivan-right-index');
    await emulator.hold('Identify1_N');
    const identifying = scanner.identify();
    identifying.catch(() => undefined);
    await emulator.waitForEvent((event) => event.event === 'held', 5_000, 'the held Identify1_N');
    const pulledAt = performance.now();
    await emulator.unplug();

    await expect(identifying).rejects.toMatchObject({ code: DriverErrorCode.Disconnected });
    // Well inside Identify1_N's 4 s timeout: the unplug itself ended the wait.
    expect(performance.now() - pulledAt).toBeLessThan(2_000);
    expect(disconnects).toHaveLength(1);
    await expect(scanner.identify()).rejects.toMatchObject({ code: DriverErrorCode.TransportClosed });

    // A replug powers the module up again at 9600; the same scanner object opens it anew.
    await emulator.replug();
    await expect(scanner.open()).resolves.toMatchObject({ baudRate: 115_200 });
    await emulator.place('ivan-right-index');
    await expect(scanner.identify()).resolves.toEqual({ kind: 'match', slot: 5, score: 0 });
    expect(disconnects).toHaveLength(1);
  });

  it('shares one open between concurrent open() calls, so an unplug is still reported once', async () => {
    const { emulator, scanner } = await start();
    const [first, second] = await Promise.all([scanner.open(), scanner.open()]);
    expect(second).toEqual(first);
    const disconnects: Error[] = [];
    scanner.on('disconnected', (error: Error) => disconnects.push(error));
    const disconnected = new Promise<Error>((resolve) => scanner.once('disconnected', resolve));
    await emulator.unplug();
    await disconnected;
    expect(disconnects).toHaveLength(1);
    await scanner.close();
  });

  it('reports an unplug while idle once, and every later call as not open', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    const disconnected = new Promise<Error>((resolve) => scanner.once('disconnected', resolve));
    await emulator.unplug();
    await expect(disconnected).resolves.toMatchObject({ code: DriverErrorCode.Disconnected });
    await expect(scanner.enrolledSlots()).rejects.toMatchObject({
      code: DriverErrorCode.TransportClosed,
      message: stringMatching(/^the GT-521F scanner on serial .* is not open$/),
    });
    await scanner.close();
  });
});
