import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { useScanners } from './scannerHarness.js';

describe('R30x library size comes from the module, never a hard-coded 162', () => {
  const start = useScanners();

  it('matches a finger stored above page 162 on a 1000-slot module', async () => {
    const { scanner, emulator } = await start({ model: 'r307' });
    await expect(scanner.open()).resolves.toMatchObject({ capacity: 1000 });
    await emulator.storeTemplate(777, 'erin-right-index');
    await emulator.place('erin-right-index');
    const outcome = await scanner.identify();
    expect(outcome).toMatchObject({ kind: 'match', slot: 777 });
    expect(outcome.kind === 'match' && outcome.score).toBeGreaterThan(0);
  });

  it('lists enrolled slots across every index-table page the capacity needs', async () => {
    const { scanner, emulator } = await start({ model: 'r307' });
    await scanner.open();
    for (const slot of [0, 255, 256, 511, 700, 999]) await emulator.storeTemplate(slot, `finger-${slot}`);
    await expect(scanner.enrolledSlots()).resolves.toEqual([0, 255, 256, 511, 700, 999]);
    expect(emulator.commandCount('ReadIndexTable')).toBe(4);
  });

  it('reads one index page for a 162-slot module', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    await emulator.storeTemplate(161, 'frank-left-index');
    await expect(scanner.enrolledSlots()).resolves.toEqual([161]);
    expect(emulator.commandCount('ReadIndexTable')).toBe(1);
  });

  it('refuses a slot beyond the module capacity before sending anything', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    await expect(scanner.deleteSlots(160, 5)).rejects.toMatchObject({
      code: DriverErrorCode.SlotOutOfRange,
      message: 'slots 160–164 do not all exist: this module has slots 0–161',
    });
    await expect(scanner.readTemplate(162)).rejects.toMatchObject({ code: DriverErrorCode.SlotOutOfRange });
    expect(emulator.commandCount('DeleteChar') + emulator.commandCount('LoadChar')).toBe(0);
  });

  it('empties the whole library with wipe()', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    await emulator.storeTemplate(1, 'gina-left-thumb');
    await emulator.storeTemplate(100, 'hank-right-thumb');
    await scanner.wipe();
    await expect(scanner.enrolledSlots()).resolves.toEqual([]);
  });
});
