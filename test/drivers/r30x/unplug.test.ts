import { describe, expect, it } from 'vitest';
import { DriverErrorCode, isDriverError } from '../../../drivers/common/errors.js';
import { useScanners } from './scannerHarness.js';

// Long timeouts: a reply that never comes must end through the disconnect, not a timeout.
const patient = { timeouts: { commands: { Search: 30_000 }, transferMs: 30_000 } };

describe('R30x scanner when the cable is pulled', () => {
  const start = useScanners();

  it('rejects an identify waiting for its Search reply with Disconnected, then works after a replug', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' }, patient);
    await scanner.open();
    const disconnections: Error[] = [];
    scanner.on('disconnected', (error: Error) => disconnections.push(error));
    await emulator.storeTemplate(42, 'mia-left-index');
    await emulator.place('mia-left-index');
    await emulator.hold('Search');

    const began = Date.now();
    const identifying = scanner.identify();
    await emulator.waitForEvent((event) => event.event === 'held', 5_000, 'the held Search reply');
    await emulator.unplug();
    await expect(identifying).rejects.toMatchObject({ code: DriverErrorCode.Disconnected });
    // Generous bound: far below the 30 s Search timeout, so the disconnect ended the wait.
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(disconnections).toHaveLength(1);
    expect(isDriverError(disconnections[0], DriverErrorCode.Disconnected)).toBe(true);

    // Nothing is sent into a dead port: the next call fails at once, with the same code.
    await expect(scanner.identify()).rejects.toMatchObject({ code: DriverErrorCode.Disconnected });

    await emulator.replug();
    await expect(scanner.open()).resolves.toMatchObject({ capacity: 162 });
    await emulator.place('mia-left-index');
    await expect(scanner.identify()).resolves.toMatchObject({ kind: 'match', slot: 42 });
    expect(disconnections).toHaveLength(1);
  });

  it('rejects a template upload cut off after two data packets with Disconnected', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20', packetSize: 32 }, patient);
    await scanner.open();
    await emulator.storeTemplate(7, 'ned-right-thumb');
    await emulator.unplugAfterDataPackets(2);
    await expect(scanner.readTemplate(7)).rejects.toMatchObject({ code: DriverErrorCode.Disconnected });

    await emulator.replug();
    await scanner.open();
    await expect(scanner.readTemplate(7)).resolves.toEqual(await emulator.template('ned-right-thumb'));
  });

  it('reports an unplug while idle as one disconnected event', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    const disconnected = new Promise<Error>((resolve) => scanner.once('disconnected', resolve));
    await emulator.unplug();
    await expect(disconnected).resolves.toMatchObject({ code: DriverErrorCode.Disconnected });
    await expect(scanner.enrolledSlots()).rejects.toMatchObject({ code: DriverErrorCode.Disconnected });
  });
});
