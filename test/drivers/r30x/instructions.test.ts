import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { confirmationError } from '../../../drivers/r30x/framing/confirmation.js';
import {
  AuraColor,
  AuraControl,
  auraLedConfig,
  checkSensor,
  deleteChar,
  downChar,
  empty,
  encodeCommand,
  genImg,
  getImageEx,
  getRandomCode,
  highSpeedSearch,
  img2Tz,
  loadChar,
  match,
  regModel,
  readIndexTable,
  readNotepad,
  readSysPara,
  search,
  setPwd,
  setSysPara,
  softRst,
  store,
  SystemRegister,
  templeteNum,
  upChar,
  vfyPwd,
  writeNotepad,
  type R30xCommand,
} from '../../../drivers/r30x/framing/instructions.js';
import { DEFAULT_ADDRESS } from '../../../drivers/r30x/framing/packet.js';
import { hex } from './bytes.js';

const wire = (command: R30xCommand<unknown>): string => encodeCommand(DEFAULT_ADDRESS, command).toString('hex');

describe('R30x instruction builders', () => {
  // Checksums worked out by hand: PID + length bytes + payload bytes.
  it.each<[string, R30xCommand<unknown>, string]>([
    ['GenImg', genImg(), 'EF01 FFFFFFFF 01 0003 01 0005'],
    ['VfyPwd(0)', vfyPwd(0), 'EF01 FFFFFFFF 01 0007 13 00000000 001B'],
    ['ReadSysPara', readSysPara(), 'EF01 FFFFFFFF 01 0003 0F 0013'],
    // 01+04+02+01 = 08
    ['Img2Tz(1)', img2Tz(1), 'EF01 FFFFFFFF 01 0004 02 01 0008'],
    // 01+03+28 = 2C
    ['GetImageEx', getImageEx(), 'EF01 FFFFFFFF 01 0003 28 002C'],
    // 01+03+05 = 09
    ['RegModel', regModel(), 'EF01 FFFFFFFF 01 0003 05 0009'],
    // 01+03+03 = 07
    ['Match', match(), 'EF01 FFFFFFFF 01 0003 03 0007'],
    // 01+06+07+01+00+07 = 16
    ['LoadChar(1, 7)', loadChar(1, 7), 'EF01 FFFFFFFF 01 0006 07 01 0007 0016'],
    // 01+04+08+01 = 0E
    ['UpChar(1)', upChar(1), 'EF01 FFFFFFFF 01 0004 08 01 000E'],
    // 01+04+09+01 = 0F
    ['DownChar(1)', downChar(1), 'EF01 FFFFFFFF 01 0004 09 01 000F'],
    // 01+03+0D = 11
    ['Empty', empty(), 'EF01 FFFFFFFF 01 0003 0D 0011'],
    // 01+08+1B+01+00+00+00+C8 = 0xED
    ['HighSpeedSearch(1, 0, 200)', highSpeedSearch(1, 0, 200), 'EF01 FFFFFFFF 01 0008 1B 01 0000 00C8 00ED'],
    // 01+03+14 = 18
    ['GetRandomCode', getRandomCode(), 'EF01 FFFFFFFF 01 0003 14 0018'],
    // 01+03+36 = 3A
    ['CheckSensor', checkSensor(), 'EF01 FFFFFFFF 01 0003 36 003A'],
    // 01+03+3D = 41
    ['SoftRst', softRst(), 'EF01 FFFFFFFF 01 0003 3D 0041'],
    // 01+08+04+01+00+00+03+E8 = 0xF9: the search covers all 1000 slots, not a hard-coded 163
    ['Search(1, 0, 1000)', search(1, 0, 1000), 'EF01 FFFFFFFF 01 0008 04 01 0000 03E8 00F9'],
    // 01+06+06+01+01+2C = 0x3B
    ['Store(1, 300)', store(1, 300), 'EF01 FFFFFFFF 01 0006 06 01 012C 003B'],
    // 01+07+0C+00+05+00+01 = 0x1A
    ['DeleteChar(5, 1)', deleteChar(5, 1), 'EF01 FFFFFFFF 01 0007 0C 0005 0001 001A'],
    // 01+07+12+12+34+56+78 = 0x012E
    ['SetPwd(0x12345678)', setPwd(0x12345678), 'EF01 FFFFFFFF 01 0007 12 12345678 012E'],
    // 01+05+0E+06+03 = 0x1D
    ['SetSysPara(packet size, 3)', setSysPara(SystemRegister.PacketSizeCode, 3), 'EF01 FFFFFFFF 01 0005 0E 06 03 001D'],
    // 01+03+1D = 0x21
    ['TempleteNum', templeteNum(), 'EF01 FFFFFFFF 01 0003 1D 0021'],
    // 01+04+1F+01 = 0x25
    ['ReadIndexTable(1)', readIndexTable(1), 'EF01 FFFFFFFF 01 0004 1F 01 0025'],
    // 01+04+19+00 = 0x1E
    ['ReadNotepad(0)', readNotepad(0), 'EF01 FFFFFFFF 01 0004 19 00 001E'],
    // 01+07+35+01+80+02+00 = 0xC0
    [
      'AuraLedConfig(breathing, 0x80, blue, forever)',
      auraLedConfig({ control: AuraControl.Breathing, speed: 0x80, color: AuraColor.Blue, times: 0 }),
      'EF01 FFFFFFFF 01 0007 35 01 80 02 00 00C0',
    ],
  ])('%s', (_name, command, expected) => {
    expect(wire(command)).toBe(hex(expected).toString('hex'));
  });

  it('writes a whole 32-byte notepad page after the page number', () => {
    const page = Buffer.alloc(32, 0x11);
    // 01 + 00 + 24 + 18 + 03 + 32 × 0x11 = 0x40 + 0x220 = 0x0260
    expect(wire(writeNotepad(3, page))).toBe(
      hex(`EF01 FFFFFFFF 01 0024 18 03 ${'11'.repeat(32)} 0260`).toString('hex'),
    );
  });

  it('refuses parameters the module could not represent, saying which and why', () => {
    expect(() => store(1, 65_536)).toThrow(/page must be an integer 0–65535, got 65536/);
    expect(() => vfyPwd(-1)).toThrow(/password must be an integer/);
    expect(() => readNotepad(16)).toThrow(/notepad page must be 0–15/);
    expect(() => writeNotepad(0, Buffer.alloc(31))).toThrow(/exactly 32 bytes, got 31/);
  });
});

describe('R30x reply decoders', () => {
  it('reads ReadSysPara fields in datasheet order', () => {
    const reply = hex('0004 0009 03E8 0003 FFFFFFFF 0003 0006');
    expect(readSysPara().decode(reply)).toEqual({
      status: 4,
      systemId: 9,
      capacity: 1000,
      securityLevel: 3,
      address: 0xffffffff,
      packetSize: 256,
      baudMultiplier: 6,
    });
  });

  it.each([
    [0, 32],
    [1, 64],
    [2, 128],
    [3, 256],
  ])('maps packet-size code %i to %i bytes', (code, size) => {
    const reply = hex(`0000 0000 00A2 0003 FFFFFFFF 000${code} 0006`);
    expect(readSysPara().decode(reply).packetSize).toBe(size);
  });

  it('rejects a ReadSysPara reply with an unknown packet-size code or no capacity', () => {
    expect(() => readSysPara().decode(hex('0000 0000 00A2 0003 FFFFFFFF 0004 0006'))).toThrow(/packet-size code 4/);
    expect(() => readSysPara().decode(hex('0000 0000 0000 0003 FFFFFFFF 0002 0006'))).toThrow(/capacity of 0/);
  });

  it('reads the page and score of a Search hit, a Match score, a count and a random code', () => {
    expect(search(1, 0, 200).decode(hex('0190 0064'))).toEqual({ slot: 400, score: 100 });
    expect(match().decode(hex('00C8'))).toBe(200);
    expect(templeteNum().decode(hex('03E7'))).toBe(999);
    expect(getRandomCode().decode(hex('DEADBEEF'))).toBe(0xdeadbeef);
  });

  it('turns an index-table page into slot numbers, least significant bit first', () => {
    const bitmap = Buffer.alloc(32);
    bitmap[0] = 0b0000_0101;
    bitmap[31] = 0b1000_0000;
    expect(readIndexTable(0).decode(bitmap)).toEqual([0, 2, 255]);
    expect(readIndexTable(3).decode(bitmap)).toEqual([768, 770, 1023]);
  });
});

describe('R30x confirmation codes', () => {
  it.each([
    [0x02, DriverErrorCode.NoFinger, /no finger/],
    [0x06, DriverErrorCode.PoorImage, /too messy/],
    [0x07, DriverErrorCode.PoorImage, /too few features/],
    [0x09, DriverErrorCode.NoMatch, /no enrolled finger matches/],
    [0x0a, DriverErrorCode.EnrollMismatch, /two scans/],
    [0x0b, DriverErrorCode.SlotOutOfRange, /beyond the module library/],
    [0x13, DriverErrorCode.WrongPassword, /rejected the password/],
    [0x1f, DriverErrorCode.LibraryFull, /full/],
    [0x21, DriverErrorCode.NoHandshake, /password verified first/],
    [0x01, DriverErrorCode.ModuleError, /damaged packet/],
    [0x99, DriverErrorCode.ModuleError, /unknown code 0x99/],
  ])('confirmation %i maps to its error code with English text', (confirmation, code, text) => {
    const error = confirmationError(confirmation, 'Search');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(text);
    expect(error.message).toMatch(/^Search: /);
    expect(error.context).toEqual({ command: 'Search', confirmation });
  });
});
