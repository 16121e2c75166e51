import { describe, expect, it } from 'vitest';
import { gt521DataPacket } from './gt521Wire.js';
import { exchange, useEmulatorBench } from './emulatorBench.js';
import { hex } from './hostPort.js';

// Vectors written by hand from drivers/gt521/README.md: 55 AA | 01 00 | param LE | command LE | sum LE.
const OPEN = hex('55AA 0100 00000000 0100 0101');
const OPEN_WITH_INFO = hex('55AA 0100 01000000 0100 0201');
const ACK_0 = hex('55AA 0100 00000000 3000 3001');
const LED_ON = hex('55AA 0100 01000000 1200 1301');
const IS_PRESS_FINGER = hex('55AA 0100 00000000 2600 2601');
const CAPTURE_BEST = hex('55AA 0100 01000000 6000 6101');
const NACK_FINGER_NOT_PRESSED = hex('55AA 0100 12100000 3100 5301');
const ENROLL_START_0 = hex('55AA 0100 00000000 2200 2201');
const ENROLL_START_1 = hex('55AA 0100 01000000 2200 2301');
const ENROLL_1 = hex('55AA 0100 00000000 2300 2301');
const ENROLL_2 = hex('55AA 0100 00000000 2400 2401');
const ENROLL_3 = hex('55AA 0100 00000000 2500 2501');
const IDENTIFY = hex('55AA 0100 00000000 5100 5101');
const GET_ENROLL_COUNT = hex('55AA 0100 00000000 2000 2001');

describe('GT-521F emulator answers datasheet vectors byte for byte', () => {
  const { connect } = useEmulatorBench('gt521', 9600);

  it('Open acknowledges; Open with a parameter also sends firmware, ISO area size and the serial number', async () => {
    const { host: port } = await connect({ serialNumber: '00112233445566778899aabbccddeeff' });
    expect(await exchange(port, OPEN)).toEqual(ACK_0);
    expect(await exchange(port, OPEN_WITH_INFO)).toEqual(ACK_0);
    const data = await port.read(4 + 24 + 2);
    expect(data.subarray(0, 4)).toEqual(hex('5AA5 0100'));
    expect(data.subarray(12, 28)).toEqual(hex('00112233445566778899aabbccddeeff'));
    let sum = 0;
    for (const byte of data.subarray(0, 28)) sum += byte;
    expect(data.readUInt16LE(28)).toBe(sum & 0xffff);
  });

  it('with the LED off the sensor sees no finger; with it on IsPressFinger reports 0 = pressed', async () => {
    const { emulator, host: port } = await connect();
    await emulator.place('lena-right-index');
    expect(await exchange(port, IS_PRESS_FINGER)).toEqual(hex('55AA 0100 12100000 3000 5201'));
    expect(await exchange(port, CAPTURE_BEST)).toEqual(NACK_FINGER_NOT_PRESSED);
    expect(await exchange(port, LED_ON)).toEqual(ACK_0);
    expect(await exchange(port, IS_PRESS_FINGER)).toEqual(ACK_0);
    expect(await exchange(port, CAPTURE_BEST)).toEqual(ACK_0);
    await emulator.lift();
    expect(await exchange(port, CAPTURE_BEST)).toEqual(NACK_FINGER_NOT_PRESSED);
  });

  it('enrolls in three scans, identifies the id, and answers a second enrollment with the duplicate id', async () => {
    const { emulator, host: port } = await connect();
    await emulator.place('max-left-index');
    expect(await exchange(port, LED_ON)).toEqual(ACK_0);
    expect(await exchange(port, ENROLL_START_0)).toEqual(ACK_0);
    for (const step of [ENROLL_1, ENROLL_2, ENROLL_3]) {
      expect(await exchange(port, CAPTURE_BEST)).toEqual(ACK_0);
      expect(await exchange(port, step)).toEqual(ACK_0);
    }
    expect(await exchange(port, GET_ENROLL_COUNT)).toEqual(hex('55AA 0100 01000000 3000 3101'));
    expect(await exchange(port, hex('55AA 0100 00000000 6000 6001'))).toEqual(ACK_0);
    expect(await exchange(port, IDENTIFY)).toEqual(ACK_0); // ACK, parameter = id 0

    expect(await exchange(port, ENROLL_START_0)).toEqual(hex('55AA 0100 05100000 3100 4601')); // already used
    expect(await exchange(port, ENROLL_START_1)).toEqual(ACK_0);
    expect(await exchange(port, CAPTURE_BEST)).toEqual(ACK_0);
    expect(await exchange(port, ENROLL_1)).toEqual(hex('55AA 0100 00000000 3100 3101')); // NACK, duplicate of id 0
  });

  it('scans of different fingers fail the enrollment (100D); an unknown finger fails Identify (1008)', async () => {
    const { emulator, host: port } = await connect();
    await emulator.storeTemplate(3, 'nora-right-thumb');
    expect(await exchange(port, LED_ON)).toEqual(ACK_0);
    expect(await exchange(port, ENROLL_START_1)).toEqual(ACK_0);
    await emulator.place('olaf-right-index');
    await exchange(port, CAPTURE_BEST);
    expect(await exchange(port, ENROLL_1)).toEqual(ACK_0);
    await emulator.place('pia-right-index');
    await exchange(port, CAPTURE_BEST);
    expect(await exchange(port, ENROLL_2)).toEqual(hex('55AA 0100 0D100000 3100 4E01'));
    expect(await exchange(port, IDENTIFY)).toEqual(hex('55AA 0100 08100000 3100 4901'));
  });

  it('a bad checksum gets NACK 1006 (communication error); another device id gets no answer', async () => {
    const { host: port } = await connect();
    expect(await exchange(port, hex('55AA 0100 00000000 0100 0201'))).toEqual(hex('55AA 0100 06100000 3100 4701'));
    await port.write(hex('55AA 0200 00000000 0100 0201'));
    expect(await port.drainFor(200)).toHaveLength(0);
    expect(await exchange(port, OPEN)).toEqual(ACK_0);
  });

  it('GetTemplate sends 498 bytes; SetTemplate into an empty module restores a finger that Identify finds', async () => {
    const { emulator: source, host: port } = await connect();
    await source.storeTemplate(7, 'quinn-left-thumb');
    expect(await exchange(port, hex('55AA 0100 07000000 7000 7701'))).toEqual(ACK_0); // GetTemplate(7)
    const packet = await port.read(4 + 498 + 2);
    const template = packet.subarray(4, 502);
    expect(template).toEqual(await source.template('quinn-left-thumb'));
    await port.close();
    await source.stop();

    const { emulator, host: empty } = await connect();
    expect(await exchange(empty, hex('55AA 0100 2A000000 7100 9B01'))).toEqual(ACK_0); // SetTemplate(42)
    await empty.write(gt521DataPacket(template));
    expect(await empty.read(12)).toEqual(ACK_0);
    await emulator.place('quinn-left-thumb');
    await exchange(empty, LED_ON);
    await exchange(empty, CAPTURE_BEST);
    expect(await exchange(empty, IDENTIFY)).toEqual(hex('55AA 0100 2A000000 3000 5A01'));
  });

  it('ChangeBaudrate applies after its ACK and lasts until the next power-on, which is back at 9600', async () => {
    const { emulator, host: port } = await connect();
    expect(await exchange(port, hex('55AA 0100 00C20100 0400 C701'))).toEqual(ACK_0); // 115200
    await port.write(OPEN);
    expect(await port.drainFor(300)).toHaveLength(0);
    await port.setBaudRate(115200);
    expect(await exchange(port, OPEN)).toEqual(ACK_0);
    await emulator.powerCycle();
    await port.write(OPEN);
    expect(await port.drainFor(300)).toHaveLength(0);
    await port.setBaudRate(9600);
    expect(await exchange(port, OPEN)).toEqual(ACK_0);
    expect(await exchange(port, hex('55AA 0100 39300000 0400 6D01'))).toEqual(hex('55AA 0100 02100000 3100 4301')); // 12345: invalid
  });
});
