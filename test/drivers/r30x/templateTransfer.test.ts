import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { useScanners } from './scannerHarness.js';
import { stringMatching } from '../../helpers/matchers.js';

describe('R30x templates move in data packets of the module packet size', () => {
  const start = useScanners();

  it.each([
    ['zfm20', 32, 512],
    ['zfm20', 256, 512],
    ['r307', 64, 768],
    ['r503', 256, 1536],
  ] as const)(
    '%s at packet size %i: a %i-byte template reads out and writes into another slot',
    async (model, packetSize, size) => {
      const { scanner, emulator } = await start({ model, packetSize });
      await expect(scanner.open()).resolves.toMatchObject({ packetSize });
      await emulator.storeTemplate(3, 'carol-left-thumb');

      const template = await scanner.readTemplate(3);
      expect(template).toHaveLength(size);
      expect(template).toEqual(await emulator.template('carol-left-thumb'));

      await scanner.writeTemplate(9, template);
      expect((await emulator.state()).slots).toEqual({ '3': 'carol-left-thumb', '9': 'carol-left-thumb' });
      await scanner.deleteSlots(3);
      await emulator.place('carol-left-thumb');
      await expect(scanner.identify()).resolves.toMatchObject({ kind: 'match', slot: 9 });
    },
  );

  it('refuses to write a template of another size than the module produces', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    await emulator.storeTemplate(0, 'dave-right-ring');
    await scanner.readTemplate(0);
    const fromR503 = Buffer.alloc(1536, 1);
    await expect(scanner.writeTemplate(1, fromR503)).rejects.toMatchObject({
      code: DriverErrorCode.BadTemplate,
      message: stringMatching(/1536 bytes but this module's templates are 512 bytes/),
    });
    expect(emulator.commandCount('DownChar')).toBe(0);
  });

  it('reports an empty slot when asked for its template', async () => {
    const { scanner } = await start({ model: 'zfm20' });
    await scanner.open();
    await expect(scanner.readTemplate(5)).rejects.toMatchObject({ code: DriverErrorCode.BadTemplate });
  });
});
