import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { useScanners } from './scannerHarness.js';

describe('R30x open: finding and unlocking the module', () => {
  const start = useScanners();

  it('reads capacity, packet size and security from the module', async () => {
    const { scanner } = await start({ model: 'zfm20' });
    await expect(scanner.open()).resolves.toEqual({
      family: 'r30x',
      model: 'R30x-compatible, system id 0x0000',
      capacity: 162,
      baudRate: 57_600,
      packetSize: 128,
      securityLevel: 3,
      credential: 'factory',
    });
  });

  it('finds a module at an unexpected speed by probing the standard rates', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20', baudRate: 19_200 });
    const info = await scanner.open();
    expect(info.baudRate).toBe(19_200);
    // The module really ignored the configured speed (the emulator enforces it), and the host now
    // talks at the module's.
    expect(emulator.events.some((event) => event.event === 'ignored' && event.reason === 'baud')).toBe(true);
    expect((await emulator.state()).hostBaud).toBe(19_200);
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-finger' });
  });

  it("opens with the device's own password", async () => {
    const { scanner } = await start({ password: 0xa5a5a5a5 });
    await expect(scanner.open()).resolves.toMatchObject({ credential: 'device' });
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-finger' });
  });

  it('reports a new module that still has the factory password', async () => {
    const { scanner } = await start({ password: 0 }, { password: 0x0badcafe });
    await expect(scanner.open()).resolves.toMatchObject({ credential: 'factory' });
  });

  it('refuses a module with another password, telling the technician why', async () => {
    const { scanner } = await start({ password: 0x11111111 }, { password: 0x22222222 });
    const opening = scanner.open();
    await expect(opening).rejects.toMatchObject({ code: DriverErrorCode.WrongPassword });
    await expect(opening).rejects.toThrow(/belongs to another device or was given an unknown password/);
  });

  it('waits for a module still booting instead of probing other speeds', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20', powerOnDelayMs: 500 });
    const info = await scanner.open();
    expect(info.baudRate).toBe(57_600);
    expect(emulator.events.some((event) => event.event === 'ignored' && event.reason === 'booting')).toBe(true);
    expect((await emulator.state()).hostBaud).toBe(57_600);
  });

  it("ignores the R503's power-on 0x55 and an M5Stack wake-up ack arriving before the first reply", async () => {
    const { scanner, emulator } = await start({ model: 'r503', wakeAck: true, powerOnDelayMs: 200 });
    await expect(scanner.open()).resolves.toMatchObject({ capacity: 200, baudRate: 57_600 });
    await emulator.place('alice-right-index');
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-match' });
  });

  it('says clearly that nothing answered when no module is there at any speed', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' }, { timeouts: { probeMs: 60, powerOnMs: 100 } });
    await emulator.hold('VfyPwd');
    const opening = scanner.open();
    await expect(opening).rejects.toMatchObject({ code: DriverErrorCode.NoHandshake });
    await expect(opening).rejects.toThrow(/no fingerprint module answered .* TX goes to the adapter's RX/);
  });
});
