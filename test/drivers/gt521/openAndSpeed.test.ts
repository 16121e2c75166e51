import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { Gt521Scanner } from '../../../drivers/gt521/index.js';
import { SerialTransport } from '../../../drivers/serial/serialTransport.js';
import { useScanners } from './scannerHarness.js';
import { stringMatching } from '../../helpers/matchers.js';

const SERIAL = '00112233445566778899AABBCCDDEEFF';

describe('GT-521F open', () => {
  const start = useScanners();

  it('opens at 9600, reads the serial number, switches speed and confirms at the new one', async () => {
    const { emulator, scanner } = await start({ serialNumber: SERIAL.toLowerCase() });
    const info = await scanner.open();
    expect(info).toEqual({
      family: 'gt521',
      model: 'GT-521F32 firmware 0x20150904',
      capacity: 200,
      baudRate: 115_200,
      templateSize: 498,
      securityLevel: 3,
      firmware: '0x20150904',
      serialNumber: SERIAL,
      credential: 'none',
    });
    const state = await emulator.state();
    expect(state.baud).toBe(115_200);
    expect(state.hostBaud).toBe(115_200);
    // Open(info) at 9600, then the confirming Open at 115200.
    expect(emulator.commandCount('Open')).toBe(2);
    expect(emulator.commandCount('ChangeBaudrate')).toBe(1);
    expect(state.ledOn).toBe(false);
    await expect(scanner.readBindingToken()).resolves.toBe(SERIAL);
  });

  it('finds a module left at 57600 within its power cycle and moves it to the configured speed', async () => {
    const { emulator, scanner } = await start({ baudRate: 57_600 }, { timeouts: { handshake: 250 } });
    const info = await scanner.open();
    expect(info.baudRate).toBe(115_200);
    expect((await emulator.state()).baud).toBe(115_200);
    // Nothing answered at 9600 (asked twice) nor at 115200; 57600 did.
    expect(emulator.commandCount('ChangeBaudrate')).toBe(1);
  });

  it('stays at 9600 without a switch when that is the configured speed', async () => {
    const { emulator, scanner } = await start({}, { baudRate: 9600 });
    expect((await scanner.open()).baudRate).toBe(9600);
    expect(emulator.commandCount('ChangeBaudrate')).toBe(0);
    expect(emulator.commandCount('Open')).toBe(1);
  });

  it('re-opens without a power cycle: the module is found at the speed it was left at', async () => {
    const { emulator, scanner } = await start({}, { timeouts: { handshake: 250 } });
    await scanner.open();
    await scanner.close();
    const again = await scanner.open();
    expect(again.baudRate).toBe(115_200);
    // The second open found it at 115200 and needed no switch.
    expect(emulator.commandCount('ChangeBaudrate')).toBe(1);
  });

  it('tells a 3000-slot GT-521F52 from its answer to CheckEnrolled(2999)', async () => {
    const { scanner } = await start({ model: 'f52' });
    const info = await scanner.open();
    expect(info.capacity).toBe(3000);
    expect(info.model).toMatch(/^GT-521F52 firmware 0x/);
  });

  it('reports a silent line as NoHandshake naming every speed it tried', async () => {
    const { emulator, scanner } = await start({}, { timeouts: { handshake: 150 } });
    // A held reply keeps the module silent to everything after it, at every speed.
    await emulator.hold('Open');
    await expect(scanner.open()).rejects.toMatchObject({
      code: DriverErrorCode.NoHandshake,
      message: stringMatching(/no GT-521F module answered on serial .* at 9600, 115200, 19200, 38400, 57600 baud/),
    });
    // The port is left closed, so a later open starts clean.
    await emulator.release();
    await expect(scanner.open()).resolves.toMatchObject({ baudRate: 115_200 });
  });

  it('refuses a baud rate the module does not have before touching the port', () => {
    expect(() => new Gt521Scanner({ transport: new SerialTransport({ path: '/dev/null' }), baudRate: 14_400 })).toThrow(
      /baudRate: .*\(baud rates: 9600, 19200, 38400, 57600, 115200\)/,
    );
  });
});
