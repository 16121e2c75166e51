import { lstatSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useEmulatorBench } from './emulatorBench.js';
import { hex } from './hostPort.js';

const GEN_IMG = hex('EF01 FFFFFFFF 01 0003 01 0005');
const ACK_OK = hex('EF01 FFFFFFFF 07 0003 00 000A');
const ACK_NO_FINGER = hex('EF01 FFFFFFFF 07 0003 02 000C');
const SET_BAUD_N3 = hex('EF01 FFFFFFFF 01 0005 0E 04 03 001B'); // SetSysPara(reg 4, N=3): 28800
const SEARCH_1_ALL = hex('EF01 FFFFFFFF 01 0008 04 01 0000 00A2 00B0');
const IMG2TZ_1 = hex('EF01 FFFFFFFF 01 0004 02 01 0008');
const SILENCE_MS = 300;

describe('R30x emulator enforces the UART speed and behaves like a cable that can be pulled', () => {
  const { start, open } = useEmulatorBench('r30x', 57600);

  it('ignores a command sent at the wrong speed and answers once the host matches it', async () => {
    const module = await start();
    const host = await open(module.path, 9600);
    await host.write(GEN_IMG);
    expect(await host.drainFor(SILENCE_MS)).toHaveLength(0);
    expect((await module.state()).ignoredBytes).toBe(GEN_IMG.length);
    await host.setBaudRate(57600);
    await host.write(GEN_IMG);
    expect(await host.read(12)).toEqual(ACK_NO_FINGER);
  });

  it('a module left at 9600×3 answers only a host at 28800, a rate without a termios constant', async () => {
    const module = await start();
    const host = await open(module.path);
    await host.write(SET_BAUD_N3);
    expect(await host.read(12)).toEqual(ACK_OK); // the ack still at the old speed
    await host.write(GEN_IMG);
    expect(await host.drainFor(SILENCE_MS)).toHaveLength(0);
    await host.setBaudRate(28800);
    await host.write(GEN_IMG);
    expect(await host.read(12)).toEqual(ACK_NO_FINGER);
    const state = await module.state();
    expect([state.baud, state.hostBaud]).toEqual([28800, 28800]);
  });

  it('the baud setting survives a power cycle (flash), and a reply heard at another speed is garbled', async () => {
    const module = await start({ baudRate: 19200 });
    const host = await open(module.path, 19200);
    await module.powerCycle();
    await module.hold('GenImg');
    const from = module.events.length;
    await host.write(GEN_IMG);
    await module.waitForEvent((e) => e.event === 'held', 2_000, 'the held GenImg', from);
    await host.setBaudRate(57600);
    await module.release();
    const garbled = await host.read(12);
    expect(garbled.every((byte) => byte >= 0x80)).toBe(true);
    expect(garbled).not.toEqual(ACK_NO_FINGER);
  });

  it('unplug hangs up the open port and removes the link; replug points the same link at a new pty', async () => {
    const module = await start();
    const host = await open(module.path);
    const firstSlave = readlinkSync(module.path);
    expect(module.slavePath).toBe(firstSlave);
    await module.unplug();
    expect(host.hungUp()).toBe(true);
    expect(() => lstatSync(module.path)).toThrow(/ENOENT/);

    const { path, slave } = await module.replug();
    expect(path).toBe(module.path);
    // The kernel may hand out the same pts number again; the old port stays dead all the same.
    expect(readlinkSync(module.path)).toBe(slave);
    const again = await open(module.path);
    await again.write(GEN_IMG);
    expect(await again.read(12)).toEqual(ACK_NO_FINGER);
  });

  it('a held Search reply comes only on release, and is lost if the cable is pulled meanwhile', async () => {
    const module = await start();
    await module.storeTemplate(42, 'kim-left-index');
    await module.place('kim-left-index');
    const host = await open(module.path);
    await host.write(Buffer.concat([GEN_IMG, IMG2TZ_1]));
    expect(await host.read(24)).toEqual(Buffer.concat([ACK_OK, ACK_OK]));

    await module.hold('Search');
    await host.write(SEARCH_1_ALL);
    expect(await module.waitForCommand('Search', 2_000)).toBe(1);
    expect(await host.drainFor(SILENCE_MS)).toHaveLength(0);
    expect(await module.release()).toBe(true);
    expect((await host.read(16)).subarray(9, 12)).toEqual(hex('00 002A'));

    await module.hold('Search');
    await host.write(SEARCH_1_ALL);
    await module.waitForCommand('Search', 2_000, 1);
    await module.unplug();
    expect(host.hungUp()).toBe(true);
    expect(await module.release()).toBe(false);
  });

  it('ignores commands while still booting', async () => {
    const module = await start({ powerOnDelayMs: 1_500 });
    const host = await open(module.path);
    await host.write(GEN_IMG);
    await module.waitForEvent(
      (e) => e.event === 'ignored' && e.reason === 'booting',
      1_000,
      'input ignored while booting',
      0,
    );
    expect(await host.drainFor(100)).toHaveLength(0);
  });

  it('an R503 announces itself with 0x55 after power-on and after SoftRst; a wake-ack module with FF', async () => {
    const r503 = await start({ model: 'r503' });
    const host = await open(r503.path);
    await r503.powerCycle();
    expect(await host.read(1)).toEqual(hex('55'));
    await host.write(hex('EF01 FFFFFFFF 01 0003 3D 0041')); // SoftRst
    expect(await host.read(13)).toEqual(Buffer.concat([ACK_OK, hex('55')]));
    await host.close();
    await r503.stop();

    const m5 = await start({ wakeAck: true });
    const m5Host = await open(m5.path);
    await m5.powerCycle();
    expect(await m5Host.read(12)).toEqual(hex('EF01 FFFFFFFF 07 0003 FF 0109'));
  });

  it('noise reaches the host byte for byte', async () => {
    const module = await start();
    const host = await open(module.path);
    await module.noise(hex('EF01 FFFF 00 55AA'));
    expect(await host.read(7)).toEqual(hex('EF01 FFFF 00 55AA'));
  });
});
