import { describe, expect, it } from 'vitest';
import { useEmulatorBench } from './emulatorBench.js';
import { hex } from './hostPort.js';

// Vectors written by hand from drivers/r30x/README.md: EF01 | address | PID | length | payload | checksum,
// checksum = PID + length bytes + payload bytes.
const GEN_IMG = hex('EF01 FFFFFFFF 01 0003 01 0005');
const VFY_PWD_0 = hex('EF01 FFFFFFFF 01 0007 13 00000000 001B');
const READ_SYS_PARA = hex('EF01 FFFFFFFF 01 0003 0F 0013');
const ACK_OK = hex('EF01 FFFFFFFF 07 0003 00 000A');
const ACK_NO_FINGER = hex('EF01 FFFFFFFF 07 0003 02 000C');
const ACK_RECEIVE_ERROR = hex('EF01 FFFFFFFF 07 0003 01 000B');
const ACK_WRONG_PASSWORD = hex('EF01 FFFFFFFF 07 0003 13 001D');
const ACK_VERIFY_PASSWORD_FIRST = hex('EF01 FFFFFFFF 07 0003 21 002B');

describe('R30x emulator answers datasheet vectors byte for byte', () => {
  const { connect } = useEmulatorBench('r30x', 57600);

  it('GenImg without a finger answers 02, with one 00', async () => {
    const { emulator, host: port } = await connect();
    await port.write(GEN_IMG);
    expect(await port.read(12)).toEqual(ACK_NO_FINGER);
    await emulator.place('alice-right-index');
    await port.write(GEN_IMG);
    expect(await port.read(12)).toEqual(ACK_OK);
  });

  it('VfyPwd(0) on a module without a password acknowledges OK', async () => {
    const { host: port } = await connect();
    await port.write(VFY_PWD_0);
    expect(await port.read(12)).toEqual(ACK_OK);
  });

  it('ReadSysPara reports status, capacity 162, security, address, packet size 128 and N=6 on a ZFM-20', async () => {
    const { host: port } = await connect();
    await port.write(READ_SYS_PARA);
    // status 0004 (password verified), sysid 0000, capacity 00A2, security 0003, address FFFFFFFF,
    // packet code 0002 (128 bytes), baud N 0006; checksum 07+00+13 + payload sum = 04C7.
    expect(await port.read(28)).toEqual(hex('EF01 FFFFFFFF 07 0013 00 0004 0000 00A2 0003 FFFFFFFF 0002 0006 04C7'));
  });

  it('a module with a password refuses commands until VfyPwd succeeds', async () => {
    const { host: port } = await connect({ password: 0x12345678 });
    await port.write(READ_SYS_PARA);
    expect(await port.read(12)).toEqual(ACK_VERIFY_PASSWORD_FIRST);
    await port.write(VFY_PWD_0);
    expect(await port.read(12)).toEqual(ACK_WRONG_PASSWORD);
    await port.write(hex('EF01 FFFFFFFF 01 0007 13 12345678 012F'));
    expect(await port.read(12)).toEqual(ACK_OK);
    await port.write(READ_SYS_PARA);
    expect((await port.read(28)).subarray(9, 12)).toEqual(hex('00 0004'));
  });

  it('a bad checksum gets confirmation 01 and a wrong address gets no answer at all', async () => {
    const { host: port } = await connect();
    await port.write(hex('EF01 FFFFFFFF 01 0003 01 0006'));
    expect(await port.read(12)).toEqual(ACK_RECEIVE_ERROR);
    await port.write(hex('EF01 12345678 01 0003 01 0005'));
    expect(await port.drainFor(300)).toHaveLength(0);
    await port.write(GEN_IMG);
    expect(await port.read(12)).toEqual(ACK_NO_FINGER);
  });

  it('an unknown instruction is 01 on a ZFM-20 and FC (unsupported) on an R503', async () => {
    const { emulator: zfmModule, host: zfm } = await connect();
    await zfm.write(hex('EF01 FFFFFFFF 01 0003 40 0044'));
    expect(await zfm.read(12)).toEqual(ACK_RECEIVE_ERROR);
    await zfm.close();
    await zfmModule.stop();

    const { host: r503 } = await connect({ model: 'r503' });
    await r503.drainFor(150); // the 0x55 it sends once ready, if the host opened in time to see it
    await r503.write(hex('EF01 FFFFFFFF 01 0003 40 0044'));
    expect(await r503.read(12)).toEqual(hex('EF01 FFFFFFFF 07 0003 FC 0106'));
  });

  it('enrolls and finds a finger: Img2Tz, RegModel, Store, Search with page and score', async () => {
    const { emulator, host: port } = await connect({ capacity: 1000, model: 'r307' });
    await emulator.place('bob-left-thumb');
    await port.write(GEN_IMG);
    expect(await port.read(12)).toEqual(ACK_OK);
    await port.write(hex('EF01 FFFFFFFF 01 0004 02 01 0008')); // Img2Tz(1)
    expect(await port.read(12)).toEqual(ACK_OK);
    await port.write(hex('EF01 FFFFFFFF 01 0004 02 02 0009')); // Img2Tz(2)
    expect(await port.read(12)).toEqual(ACK_OK);
    await port.write(hex('EF01 FFFFFFFF 01 0003 05 0009')); // RegModel
    expect(await port.read(12)).toEqual(ACK_OK);
    await port.write(hex('EF01 FFFFFFFF 01 0006 06 01 01F4 0103')); // Store(1, page 500)
    expect(await port.read(12)).toEqual(ACK_OK);
    await port.write(hex('EF01 FFFFFFFF 01 0008 04 01 0000 03E8 00F9')); // Search(1, 0, 1000)
    const found = await port.read(16);
    expect(found.subarray(0, 12)).toEqual(hex('EF01 FFFFFFFF 07 0007 00 01F4'));
    expect(found.readUInt16BE(12)).toBeGreaterThan(0);
    await port.write(hex('EF01 FFFFFFFF 01 0008 04 01 0000 00A3 00B1')); // Search(1, 0, 163)
    expect(await port.read(16)).toEqual(hex('EF01 FFFFFFFF 07 0007 09 0000 0000 0017'));
    await port.write(hex('EF01 FFFFFFFF 01 0003 1D 0021')); // TempleteNum
    expect(await port.read(14)).toEqual(hex('EF01 FFFFFFFF 07 0005 00 0001 000D'));
    expect((await emulator.state()).slots).toEqual({ '500': 'bob-left-thumb' });
  });

  it('a poor finger images but yields too few features (07), and two different fingers do not combine (0A)', async () => {
    const { emulator, host: port } = await connect();
    await emulator.place('carol-right-ring', 'poor');
    await port.write(GEN_IMG);
    expect(await port.read(12)).toEqual(ACK_OK);
    await port.write(hex('EF01 FFFFFFFF 01 0004 02 01 0008'));
    expect(await port.read(12)).toEqual(hex('EF01 FFFFFFFF 07 0003 07 0011'));
    await emulator.place('dave-right-index');
    await port.write(Buffer.concat([GEN_IMG, hex('EF01 FFFFFFFF 01 0004 02 01 0008')]));
    expect(await port.read(24)).toEqual(Buffer.concat([ACK_OK, ACK_OK]));
    await emulator.place('erin-right-index');
    await port.write(Buffer.concat([GEN_IMG, hex('EF01 FFFFFFFF 01 0004 02 02 0009')]));
    expect(await port.read(24)).toEqual(Buffer.concat([ACK_OK, ACK_OK]));
    await port.write(hex('EF01 FFFFFFFF 01 0003 05 0009'));
    expect(await port.read(12)).toEqual(hex('EF01 FFFFFFFF 07 0003 0A 0014'));
  });

  it('notepad pages hold 32 bytes and a page beyond 15 is refused with 1C', async () => {
    const { host: port } = await connect();
    const token = Buffer.alloc(32, 0xab);
    // WriteNotepad(page 3, 32 × AB): checksum 01+00+24+18+03+20×AB = 0x15A0.
    await port.write(Buffer.concat([hex('EF01 FFFFFFFF 01 0024 18 03'), token, hex('15A0')]));
    expect(await port.read(12)).toEqual(ACK_OK);
    await port.write(hex('EF01 FFFFFFFF 01 0004 19 03 0021')); // ReadNotepad(3)
    const page = await port.read(12 + 32);
    expect(page.subarray(0, 10)).toEqual(hex('EF01 FFFFFFFF 07 0023 00'));
    expect(page.subarray(10, 42)).toEqual(token);
    await port.write(hex('EF01 FFFFFFFF 01 0004 19 10 002E')); // ReadNotepad(16)
    expect((await port.read(44)).subarray(9, 10)).toEqual(hex('1C'));
  });
});
