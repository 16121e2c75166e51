import { describe, expect, it } from 'vitest';
import { useEmulatorBench } from './emulatorBench.js';
import { hex, type HostPort } from './hostPort.js';
import { r30xPacket, readR30xPacket } from './r30xWire.js';

const ACK_OK = hex('EF01 FFFFFFFF 07 0003 00 000A');
const LOAD_CHAR_1_PAGE_7 = hex('EF01 FFFFFFFF 01 0006 07 01 0007 0016');
const UP_CHAR_1 = hex('EF01 FFFFFFFF 01 0004 08 01 000E');
const DOWN_CHAR_1 = hex('EF01 FFFFFFFF 01 0004 09 01 000F');
const STORE_1_PAGE_0 = hex('EF01 FFFFFFFF 01 0006 06 01 0000 000E');
const SEARCH_1_ALL = hex('EF01 FFFFFFFF 01 0008 04 01 0000 00A2 00B0');

describe('R30x emulator moves templates in data packets of the module packet size', () => {
  const { connect: module } = useEmulatorBench('r30x', 57600);

  async function upload(host: HostPort): Promise<{ pids: number[]; sizes: number[]; template: Buffer }> {
    await host.write(LOAD_CHAR_1_PAGE_7);
    expect(await host.read(12)).toEqual(ACK_OK);
    await host.write(UP_CHAR_1);
    expect(await host.read(12)).toEqual(ACK_OK);
    const pids: number[] = [];
    const sizes: number[] = [];
    const parts: Buffer[] = [];
    for (;;) {
      const packet = await readR30xPacket(host);
      pids.push(packet.pid);
      sizes.push(packet.payload.length);
      parts.push(packet.payload);
      if (packet.pid === 0x08) break;
    }
    return { pids, sizes, template: Buffer.concat(parts) };
  }

  it('UpChar of a 512-byte ZFM-20 template at packet size 32: fifteen PID 02 packets, then PID 08', async () => {
    const { emulator, host } = await module({ packetSize: 32 });
    await emulator.storeTemplate(7, 'frank-left-index');
    const { pids, sizes, template } = await upload(host);
    expect(pids).toEqual([...Array<number>(15).fill(0x02), 0x08]);
    expect(sizes).toEqual(Array<number>(16).fill(32));
    expect(template).toEqual(await emulator.template('frank-left-index'));
  });

  it('an R503 template is 1536 bytes: six packets at packet size 256', async () => {
    const { emulator, host } = await module({ model: 'r503', packetSize: 256 });
    await host.drainFor(100); // its power-on 0x55
    await emulator.storeTemplate(7, 'gina-right-thumb');
    const { pids, template } = await upload(host);
    expect(pids).toEqual([2, 2, 2, 2, 2, 8]);
    expect(template).toHaveLength(1536);
  });

  it('a template downloaded into an empty module is stored and matches the same finger again', async () => {
    const source = await module({ packetSize: 128 });
    await source.emulator.storeTemplate(7, 'hans-right-index');
    const { template } = await upload(source.host);

    const target = await module({ packetSize: 256 });
    await target.host.write(DOWN_CHAR_1);
    expect(await target.host.read(12)).toEqual(ACK_OK);
    await target.host.write(r30xPacket(0x02, template.subarray(0, 256)));
    await target.host.write(r30xPacket(0x08, template.subarray(256)));
    await target.host.write(STORE_1_PAGE_0);
    expect(await target.host.read(12)).toEqual(ACK_OK);
    expect(Object.keys((await target.emulator.state()).slots)).toEqual(['0']);

    // Placing the finger tells the target module its name, so its state can name the slot.
    await target.emulator.place('hans-right-index');
    expect((await target.emulator.state()).slots).toEqual({ '0': 'hans-right-index' });
    await target.host.write(hex('EF01 FFFFFFFF 01 0003 01 0005 EF01 FFFFFFFF 01 0004 02 01 0008'));
    expect(await target.host.read(24)).toEqual(Buffer.concat([ACK_OK, ACK_OK]));
    await target.host.write(SEARCH_1_ALL);
    expect((await target.host.read(16)).subarray(9, 12)).toEqual(hex('00 0000'));
  });

  it('a data packet with a bad checksum leaves an unreadable buffer: Store answers 0C', async () => {
    const { emulator, host } = await module({ packetSize: 256 });
    const template = await emulator.template('ines-left-ring');
    await host.write(DOWN_CHAR_1);
    expect(await host.read(12)).toEqual(ACK_OK);
    const damaged = r30xPacket(0x02, template.subarray(0, 256));
    damaged[damaged.length - 1]! ^= 0x01;
    await host.write(damaged);
    await host.write(r30xPacket(0x08, template.subarray(256)));
    await host.write(STORE_1_PAGE_0);
    expect(await host.read(12)).toEqual(hex('EF01 FFFFFFFF 07 0003 0C 0016'));
  });

  it('unplugAfterDataPackets pulls the cable in the middle of an UpChar', async () => {
    const { emulator, host } = await module({ packetSize: 64 });
    await emulator.storeTemplate(7, 'jo-right-middle');
    await emulator.unplugAfterDataPackets(3);
    await host.write(LOAD_CHAR_1_PAGE_7);
    expect(await host.read(12)).toEqual(ACK_OK);
    await host.write(UP_CHAR_1);
    expect(await host.read(12)).toEqual(ACK_OK);
    for (let i = 0; i < 3; i += 1) expect((await readR30xPacket(host)).pid).toBe(0x02);
    await emulator.waitForEvent((e) => e.event === 'unplugged', 2_000, 'the unplug', 0);
    expect(await host.drainFor(100)).toHaveLength(0);
    expect(host.hungUp()).toBe(true);
    expect((await emulator.state()).plugged).toBe(false);
  });
});
