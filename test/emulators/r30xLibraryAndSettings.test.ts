import { describe, expect, it } from 'vitest';
import { exchange, useEmulatorBench } from './emulatorBench.js';
import { hex } from './hostPort.js';

const ACK_OK = hex('EF01 FFFFFFFF 07 0003 00 000A');
const ACK_RECEIVE_ERROR = hex('EF01 FFFFFFFF 07 0003 01 000B');
const GEN_IMG = hex('EF01 FFFFFFFF 01 0003 01 0005');
const IMG2TZ_1 = hex('EF01 FFFFFFFF 01 0004 02 01 0008');
const IMG2TZ_2 = hex('EF01 FFFFFFFF 01 0004 02 02 0009');
const MATCH = hex('EF01 FFFFFFFF 01 0003 03 0007');
const TEMPLETE_NUM = hex('EF01 FFFFFFFF 01 0003 1D 0021');

describe('R30x emulator: library bookkeeping, module settings and model differences', () => {
  const { connect } = useEmulatorBench('r30x', 57600);

  it('ReadIndexTable sets one bit per used page (LSB first); DeleteChar, TempleteNum and Empty keep it right', async () => {
    const { emulator, host: port } = await connect();
    for (const page of [0, 9, 161]) await emulator.storeTemplate(page, `member-${page}`);
    // page 161 = byte 20, bit 1; sum 07+00+23 + 01+02+02 = 002F.
    expect(await exchange(port, hex('EF01 FFFFFFFF 01 0004 1F 00 0024'), 44)).toEqual(
      hex(`EF01 FFFFFFFF 07 0023 00 0102 ${'00'.repeat(18)} 02 ${'00'.repeat(11)} 002F`),
    );
    expect(await exchange(port, hex('EF01 FFFFFFFF 01 0007 0C 0009 0001 001E'))).toEqual(ACK_OK); // DeleteChar(9, 1)
    expect(await exchange(port, hex('EF01 FFFFFFFF 01 0007 0C 00A0 0005 00B9'))).toEqual(
      hex('EF01 FFFFFFFF 07 0003 10 001A'),
    );
    expect(await exchange(port, TEMPLETE_NUM, 14)).toEqual(hex('EF01 FFFFFFFF 07 0005 00 0002 000E'));
    expect(await exchange(port, hex('EF01 FFFFFFFF 01 0003 0D 0011'))).toEqual(ACK_OK); // Empty
    expect(await exchange(port, TEMPLETE_NUM, 14)).toEqual(hex('EF01 FFFFFFFF 07 0005 00 0000 000C'));
  });

  it('Match scores the same finger in both buffers and answers 08 for different fingers', async () => {
    const { emulator, host: port } = await connect();
    await emulator.place('sara-right-index');
    await port.write(Buffer.concat([GEN_IMG, IMG2TZ_1, IMG2TZ_2]));
    expect(await port.read(36)).toEqual(Buffer.concat([ACK_OK, ACK_OK, ACK_OK]));
    const matched = await exchange(port, MATCH, 14);
    expect(matched.subarray(0, 10)).toEqual(hex('EF01 FFFFFFFF 07 0005 00'));
    expect(matched.readUInt16BE(10)).toBeGreaterThan(0);
    await emulator.place('tom-right-index');
    await port.write(Buffer.concat([GEN_IMG, IMG2TZ_2]));
    expect(await port.read(24)).toEqual(Buffer.concat([ACK_OK, ACK_OK]));
    expect(await exchange(port, MATCH, 14)).toEqual(hex('EF01 FFFFFFFF 07 0005 08 0000 0014'));
  });

  it('SetAdder answers from the new address, after which the old one is ignored', async () => {
    const { host: port } = await connect();
    expect(await exchange(port, hex('EF01 FFFFFFFF 01 0007 15 12345678 0131'))).toEqual(
      hex('EF01 12345678 07 0003 00 000A'),
    );
    await port.write(GEN_IMG);
    expect(await port.drainFor(200)).toHaveLength(0);
    expect(await exchange(port, hex('EF01 12345678 01 0003 01 0005'))).toEqual(hex('EF01 12345678 07 0003 02 000C'));
  });

  it('a password set with SetPwd must be verified again after a power cycle', async () => {
    const { emulator, host: port } = await connect();
    expect(await exchange(port, hex('EF01 FFFFFFFF 01 0007 12 00000001 001B'))).toEqual(ACK_OK);
    await emulator.powerCycle();
    expect(await exchange(port, GEN_IMG)).toEqual(hex('EF01 FFFFFFFF 07 0003 21 002B'));
    expect(await exchange(port, hex('EF01 FFFFFFFF 01 0007 13 00000001 001C'))).toEqual(ACK_OK);
    expect(await exchange(port, GEN_IMG)).toEqual(hex('EF01 FFFFFFFF 07 0003 02 000C'));
  });

  it('SetSysPara refuses a bad register (1A) and a bad value (1B); packet size 32 shows in ReadSysPara', async () => {
    const { emulator, host: port } = await connect();
    expect(await exchange(port, hex('EF01 FFFFFFFF 01 0005 0E 07 01 001C'))).toEqual(
      hex('EF01 FFFFFFFF 07 0003 1A 0024'),
    );
    expect(await exchange(port, hex('EF01 FFFFFFFF 01 0005 0E 05 06 001F'))).toEqual(
      hex('EF01 FFFFFFFF 07 0003 1B 0025'),
    );
    expect(await exchange(port, hex('EF01 FFFFFFFF 01 0005 0E 06 00 001A'))).toEqual(ACK_OK);
    const parameters = await exchange(port, hex('EF01 FFFFFFFF 01 0003 0F 0013'), 28);
    expect(parameters.subarray(22, 24)).toEqual(hex('0000'));
    expect((await emulator.state()).packetSize).toBe(32);
  });

  it('model differences: HighSpeedSearch can be absent, GetImageEx and the aura LED exist only on an R503', async () => {
    const { emulator: zfmModule, host: zfm } = await connect({ extraArgs: ['--no-high-speed-search'] });
    expect(await exchange(zfm, hex('EF01 FFFFFFFF 01 0008 1B 01 0000 00A2 00C7'))).toEqual(ACK_RECEIVE_ERROR);
    expect(await exchange(zfm, hex('EF01 FFFFFFFF 01 0003 28 002C'))).toEqual(ACK_RECEIVE_ERROR);
    expect(await exchange(zfm, hex('EF01 FFFFFFFF 01 0007 35 01 80 02 00 00C0'))).toEqual(ACK_RECEIVE_ERROR);
    expect(await exchange(zfm, hex('EF01 FFFFFFFF 01 0003 36 003A'))).toEqual(ACK_OK); // CheckSensor
    await zfm.close();
    await zfmModule.stop();

    const { emulator, host: r503 } = await connect({ model: 'r503' });
    await emulator.place('uma-left-index', 'poor');
    expect(await exchange(r503, hex('EF01 FFFFFFFF 01 0003 28 002C'))).toEqual(hex('EF01 FFFFFFFF 07 0003 07 0011'));
    expect(await exchange(r503, hex('EF01 FFFFFFFF 01 0007 35 01 80 02 00 00C0'))).toEqual(ACK_OK);
    expect((await emulator.state()).aura).toEqual({ control: 1, speed: 0x80, colour: 2, times: 0 });
    expect((await exchange(r503, hex('EF01 FFFFFFFF 01 0003 14 0018'), 16)).subarray(0, 10)).toEqual(
      hex('EF01 FFFFFFFF 07 0007 00'),
    );
  });
});
