import { describe, expect, it } from 'vitest';
import { seededBytes, hex } from './bytes.js';
import { useScanners } from './scannerHarness.js';

describe('R30x scanner recovers a module that restarts or talks noise', () => {
  const start = useScanners();

  it('handshakes again when a module that lost power mid-session stays silent, then answers', async () => {
    const { scanner, emulator } = await start(
      { model: 'zfm20', password: 0x1234, powerOnDelayMs: 800 },
      { timeouts: { commands: { GenImg: 100 } } },
    );
    await scanner.open();
    await emulator.storeTemplate(3, 'olga-right-index');
    await emulator.place('olga-right-index');
    await emulator.powerCycle();
    // Every GenImg attempt falls into the 800 ms boot; the re-handshake waits it out.
    await expect(scanner.identify()).resolves.toMatchObject({ kind: 'match', slot: 3 });
    expect(emulator.events.some((event) => event.event === 'ignored' && event.reason === 'booting')).toBe(true);
    expect(emulator.commandCount('VfyPwd')).toBe(2);
  });

  it('verifies the password again when a restarted module asks for it (0x21)', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20', password: 0x1234 });
    await scanner.open();
    await emulator.storeTemplate(8, 'pete-left-thumb');
    await emulator.powerCycle();
    await emulator.place('pete-left-thumb');
    await expect(scanner.identify()).resolves.toMatchObject({ kind: 'match', slot: 8 });
    expect((await emulator.state()).verified).toBe(true);
  });

  it('ignores noise, fake headers and frames for other addresses between commands', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    await emulator.storeTemplate(30, 'quin-right-ring');
    const junk = [
      seededBytes(42, 4_000),
      hex('EF01 FFFFFFFF 07 FFFF'),
      hex('EF01 12345678 07 0003 00 000A'),
      hex('EF01 FFFFFFFF 01 0003 01 0005'),
      hex('55 00 EF'),
    ];
    for (const [round, bytes] of junk.entries()) {
      await emulator.noise(bytes);
      await emulator.place('quin-right-ring');
      await expect(scanner.identify(), `after noise ${round}`).resolves.toMatchObject({ kind: 'match', slot: 30 });
      await emulator.lift();
      await expect(scanner.identify()).resolves.toEqual({ kind: 'no-finger' });
    }
  });

  it('is not held back by a truncated frame that arrives just before a reply', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    await emulator.hold('GenImg');
    const identifying = scanner.identify();
    await emulator.waitForEvent((event) => event.event === 'held', 5_000, 'the held GenImg reply');
    await emulator.noise(hex('EF01 FFFFFFFF 07 0040 00 01'));
    await emulator.release();
    await expect(identifying).resolves.toEqual({ kind: 'no-finger' });
  });
});
