import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { decodeBindingToken, encodeBindingToken } from '../../../drivers/r30x/device/bindingToken.js';
import { useScanners } from './scannerHarness.js';
import { stringMatching } from '../../helpers/matchers.js';

describe('R30x module binding: notepad token and module password', () => {
  const start = useScanners();

  it('binds a new module, which then opens only with the device password', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20', password: 0 }, { password: 0x5eed1234 });
    await expect(scanner.open()).resolves.toMatchObject({ credential: 'factory' });
    await expect(scanner.readBindingToken()).resolves.toBeUndefined();

    await scanner.bind('c0ffee0000', 0x5eed1234);
    await expect(scanner.readBindingToken()).resolves.toBe('c0ffee0000');
    const state = await emulator.state();
    expect(state.password).toBe(0x5eed1234);
    expect((state.notepad as string[])[0]).toBe(`05c0ffee0000${'00'.repeat(26)}`);

    // A power cycle forgets the verification: the re-handshake uses the new password.
    await emulator.powerCycle();
    await expect(scanner.readBindingToken()).resolves.toBe('c0ffee0000');
    await scanner.close();

    await expect(scanner.open()).resolves.toMatchObject({ credential: 'device' });
    await scanner.close();
  });

  it('refuses a token that does not fit the notepad page', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    await expect(scanner.bind('xyz', 1)).rejects.toThrow(/hex/);
    await expect(scanner.bind('00'.repeat(32), 1)).rejects.toThrow(/1–31 bytes/);
    expect(emulator.commandCount('WriteNotepad') + emulator.commandCount('SetPwd')).toBe(0);
  });

  it('reads a page in another format as raw hex, which matches no token of ours', () => {
    const foreign = Buffer.alloc(32, 0x41);
    expect(decodeBindingToken(foreign)).toBe('41'.repeat(32));
    expect(decodeBindingToken(Buffer.alloc(32, 0xff))).toBeUndefined();
    expect(decodeBindingToken(encodeBindingToken('00ff00'))).toBe('00ff00');
  });
});

describe('R30x module light', () => {
  const start = useScanners();

  it('drives the R503 aura ring with a distinct pattern per signal', async () => {
    const { scanner, emulator } = await start({ model: 'r503' });
    await scanner.open();
    await scanner.indicate('accepted');
    expect((await emulator.state()).aura).toEqual({ control: 2, speed: 0x30, colour: 2, times: 2 });
    await scanner.indicate('fault');
    expect((await emulator.state()).aura).toEqual({ control: 3, speed: 0, colour: 1, times: 0 });
  });

  it('finds out once that a module has no ring and stays quiet from then on', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    await scanner.indicate('accepted');
    await scanner.indicate('rejected');
    await scanner.indicate('idle');
    expect(emulator.commandCount('Unknown(0x35)')).toBe(1);
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-finger' });
  });

  it('refuses operations before open with a clear error', async () => {
    const { scanner } = await start({ model: 'zfm20' });
    await expect(scanner.identify()).rejects.toMatchObject({
      code: DriverErrorCode.TransportClosed,
      message: stringMatching(/not open; call open\(\) first/),
    });
  });
});
