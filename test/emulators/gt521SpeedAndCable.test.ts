import { describe, expect, it } from 'vitest';
import { useEmulatorBench } from './emulatorBench.js';
import { hex } from './hostPort.js';

const OPEN = hex('55AA 0100 00000000 0100 0101');
const ACK_0 = hex('55AA 0100 00000000 3000 3001');
const CHANGE_BAUD_57600 = hex('55AA 0100 00E10000 0400 E501');
const LED_ON = hex('55AA 0100 01000000 1200 1301');
const CAPTURE = hex('55AA 0100 00000000 6000 6001');
const IDENTIFY = hex('55AA 0100 00000000 5100 5101');
const SILENCE_MS = 300;

describe('GT-521F emulator: 9600 at every power-on, and a cable that can be pulled mid-command', () => {
  const { start, open } = useEmulatorBench('gt521', 9600);

  it('a module left at 57600 answers only there; after a replug it is back at 9600 behind the same link', async () => {
    const module = await start({ baudRate: 57600 });
    const first = await open(module.path, 9600);
    await first.write(OPEN);
    expect(await first.drainFor(SILENCE_MS)).toHaveLength(0);
    await first.setBaudRate(57600);
    await first.write(OPEN);
    expect(await first.read(12)).toEqual(ACK_0);

    await module.unplug();
    expect(first.hungUp()).toBe(true);
    await module.replug();
    const second = await open(module.path, 57600);
    await second.write(OPEN);
    expect(await second.drainFor(SILENCE_MS)).toHaveLength(0);
    await second.setBaudRate(9600);
    await second.write(OPEN);
    expect(await second.read(12)).toEqual(ACK_0);
    await second.write(CHANGE_BAUD_57600);
    expect(await second.read(12)).toEqual(ACK_0);
    expect((await module.state()).baud).toBe(57600);
  });

  it('a held Identify1_N never answers when the cable is pulled while the host waits', async () => {
    const module = await start();
    await module.storeTemplate(5, 'rosa-left-index');
    await module.place('rosa-left-index');
    const host = await open(module.path, 9600);
    await host.write(Buffer.concat([LED_ON, CAPTURE]));
    expect(await host.read(24)).toEqual(Buffer.concat([ACK_0, ACK_0]));
    await module.hold('Identify1_N');
    await host.write(IDENTIFY);
    await module.waitForCommand('Identify1_N', 2_000);
    expect(await host.drainFor(SILENCE_MS)).toHaveLength(0);
    await module.unplug();
    expect(host.hungUp()).toBe(true);
    expect(await module.release()).toBe(false);
  });
});
