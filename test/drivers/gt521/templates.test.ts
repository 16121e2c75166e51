import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { useScanners } from './scannerHarness.js';
import { objectContaining, stringMatching } from '../../helpers/matchers.js';

describe('GT-521F templates and slots', () => {
  const start = useScanners();

  it('backs a template up (GetTemplate) and restores it (SetTemplate) into an empty module', async () => {
    const old = await start();
    await old.scanner.open();
    await old.emulator.storeTemplate(12, 'fatima-right-thumb');
    const template = await old.scanner.readTemplate(12);
    expect(template).toEqual(await old.emulator.template('fatima-right-thumb'));

    const replacement = await start({ serialNumber: 'ffeeddccbbaa99887766554433221100' });
    await replacement.scanner.open();
    await expect(replacement.scanner.enrolledSlots()).resolves.toEqual([]);
    await replacement.scanner.writeTemplate(40, template);

    await replacement.emulator.place('fatima-right-thumb');
    await expect(replacement.scanner.identify()).resolves.toEqual({ kind: 'match', slot: 40, score: 0 });
    // Named only now: the replacement module learnt the finger's name when it was placed.
    expect((await replacement.emulator.state()).slots).toEqual({ '40': 'fatima-right-thumb' });
  });

  it('refuses a template of the wrong size, an empty slot to read, and a duplicate to write', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    await expect(scanner.writeTemplate(1, Buffer.alloc(512))).rejects.toMatchObject({
      code: DriverErrorCode.BadTemplate,
      message: stringMatching(/template is 498 bytes, this one is 512/),
    });
    await expect(scanner.readTemplate(5)).rejects.toMatchObject({ code: DriverErrorCode.SlotEmpty });
    await emulator.storeTemplate(9, 'gao-left-index');
    const copy = await emulator.template('gao-left-index');
    await expect(scanner.writeTemplate(10, copy)).rejects.toMatchObject({
      code: DriverErrorCode.DuplicateFinger,
      context: objectContaining({ slot: 9 }),
    });
  });

  it('lists enrolled slots, stopping once GetEnrollCount’s number is found', async () => {
    const { emulator, scanner } = await start({ model: 'f52' });
    await scanner.open();
    await emulator.storeTemplate(0, 'a');
    await emulator.storeTemplate(17, 'b');
    await emulator.storeTemplate(2500, 'c');
    const before = emulator.commandCount('CheckEnrolled');
    await expect(scanner.enrolledSlots()).resolves.toEqual([0, 17, 2500]);
    // Slots 0…2500 were asked about, not all 3000.
    expect(emulator.commandCount('CheckEnrolled') - before).toBe(2501);
  });

  it('deletes slots (an empty one included) and wipes the module, twice without complaint', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    await emulator.storeTemplate(3, 'h1');
    await emulator.storeTemplate(4, 'h2');
    await emulator.storeTemplate(8, 'h3');
    await scanner.deleteSlots(3, 3);
    expect((await emulator.state()).slots).toEqual({ '8': 'h3' });
    await expect(scanner.deleteSlots(199, 2)).rejects.toMatchObject({ code: DriverErrorCode.SlotOutOfRange });
    await scanner.wipe();
    await scanner.wipe();
    expect((await emulator.state()).slots).toEqual({});
  });
});
