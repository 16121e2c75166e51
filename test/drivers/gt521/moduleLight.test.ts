import { describe, expect, it } from 'vitest';
import type { ModuleSignal } from '../../../drivers/scanner.js';
import type { ModuleEmulator } from '../../helpers/emulator.js';
import { useScanners } from './scannerHarness.js';

/**
 * CmosLed commands the emulator has executed, read from the emulator itself: the counts its event
 * lines bring may still be on their way when the driver's answer arrives.
 */
async function ledCommands(emulator: ModuleEmulator): Promise<number> {
  return (await emulator.state()).counts.CmosLed ?? 0;
}

describe('GT-521F sensor light', () => {
  const start = useScanners();

  it('flashes 1, 2 and 3 times for accepted, already and rejected, and stays dark otherwise', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    const flashes = async (signal: ModuleSignal): Promise<number> => {
      const before = await ledCommands(emulator);
      await scanner.indicate(signal);
      // Each flash is one CmosLed on and one off.
      return ((await ledCommands(emulator)) - before) / 2;
    };
    expect(await flashes('accepted')).toBe(1);
    expect(await flashes('already')).toBe(2);
    expect(await flashes('rejected')).toBe(3);
    expect(await flashes('fault')).toBe(0);
    expect(await flashes('idle')).toBe(0);
    expect(await flashes('busy')).toBe(0);
    expect((await emulator.state()).ledOn).toBe(false);
  });

  it('lights the sensor only for the length of a poll', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    const before = await ledCommands(emulator);
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-finger' });
    expect((await ledCommands(emulator)) - before).toBe(2);
    expect((await emulator.state()).ledOn).toBe(false);
  });
});
