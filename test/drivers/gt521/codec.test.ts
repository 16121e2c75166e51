import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { gt521Commands } from '../../../drivers/gt521/framing/commands.js';
import {
  decodeDataPacket,
  decodeOpenInfo,
  decodeResponse,
  encodeCommand,
  encodeDataPacket,
} from '../../../drivers/gt521/framing/packet.js';
import { hex } from './bytes.js';
import { objectContaining } from '../../helpers/matchers.js';

// Vectors: Open/ACK from drivers/gt521/README.md; GetTemplate(1) and SetTemplate(2) as captured from a real
// GT-521F32 in the SparkFun forum thread "How to set template in GT-521F32"; the rest computed by
// hand from the rules (little-endian fields, checksum = 16-bit sum of the preceding bytes).
const commandVectors: [string, Buffer, string][] = [
  ['Open', encodeCommand(gt521Commands.open(false)), '55AA 0100 00000000 0100 0101'],
  ['Open(info)', encodeCommand(gt521Commands.open(true)), '55AA 0100 01000000 0100 0201'],
  ['CmosLed(on)', encodeCommand(gt521Commands.cmosLed(true)), '55AA 0100 01000000 1200 1301'],
  ['CmosLed(off)', encodeCommand(gt521Commands.cmosLed(false)), '55AA 0100 00000000 1200 1201'],
  ['Identify1_N', encodeCommand(gt521Commands.identify()), '55AA 0100 00000000 5100 5101'],
  ['ChangeBaudrate(115200)', encodeCommand(gt521Commands.changeBaudrate(115200)), '55AA 0100 00C20100 0400 C701'],
  ['CheckEnrolled(2999)', encodeCommand(gt521Commands.checkEnrolled(2999)), '55AA 0100 B70B0000 2100 E301'],
  ['EnrollStart(-1)', encodeCommand(gt521Commands.enrollStart(-1)), '55AA 0100 FFFFFFFF 2200 1E05'],
  ['Enroll3', encodeCommand(gt521Commands.enroll(3)), '55AA 0100 00000000 2500 2501'],
  ['CaptureFinger(best)', encodeCommand(gt521Commands.captureFinger(true)), '55AA 0100 01000000 6000 6101'],
  ['DeleteAll', encodeCommand(gt521Commands.deleteAll()), '55AA 0100 00000000 4100 4101'],
  ['GetTemplate(1)', encodeCommand(gt521Commands.getTemplate(1)), '55AA 0100 01000000 7000 7101'],
  ['SetTemplate(2)', encodeCommand(gt521Commands.setTemplate(2)), '55AA 0100 02000000 7100 7301'],
  ['SetSecurityLevel(5)', encodeCommand(gt521Commands.setSecurityLevel(5)), '55AA 0100 05000000 F000 F501'],
  ['EnterStandby', encodeCommand(gt521Commands.enterStandby()), '55AA 0100 00000000 F900 F901'],
];

const ACK_OPEN = hex('55AA 0100 00000000 3000 3001');
const NACK_IDENTIFY_FAILED = hex('55AA 0100 08100000 3100 4901');
const OPEN_INFO_PACKET = hex('5AA5 0100 44332211 00000100 000102030405060708090A0B0C0D0E0F 2302');

describe('GT-521F command encoding', () => {
  it.each(commandVectors)('%s encodes byte for byte', (_name, encoded, expected) => {
    expect(encoded.toString('hex')).toBe(hex(expected).toString('hex'));
  });

  it('refuses a baud rate the module does not have, naming the ones it has', () => {
    expect(() => gt521Commands.changeBaudrate(14400)).toThrow(/cannot run at 14400 baud; use one of 9600, 19200/);
  });

  it('refuses a security level outside 1–5 and a slot that is not a whole number', () => {
    expect(() => gt521Commands.setSecurityLevel(0)).toThrow(/security level 0 does not exist/);
    expect(() => gt521Commands.deleteId(-2)).toThrow(objectContaining({ code: DriverErrorCode.SlotOutOfRange }));
    expect(() => gt521Commands.getTemplate(1.5)).toThrow(/slot 1.5 is not a template slot/);
  });

  it('wraps a payload into a data packet', () => {
    expect(encodeDataPacket(hex('010203')).toString('hex')).toBe('5aa50100010203' + '0601');
  });
});

describe('GT-521F packet decoding', () => {
  it('decodes the datasheet ACK and a NACK carrying "identify failed"', () => {
    expect(decodeResponse(ACK_OPEN)).toEqual({ ok: true, packet: { kind: 'response', ack: true, param: 0 } });
    expect(decodeResponse(NACK_IDENTIFY_FAILED)).toEqual({
      ok: true,
      packet: { kind: 'response', ack: false, param: 0x1008 },
    });
  });

  it('decodes the Open information: firmware, ISO area size and the serial number in hex', () => {
    const result = decodeDataPacket(OPEN_INFO_PACKET, 24);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(decodeOpenInfo(result.packet.data)).toEqual({
      firmwareVersion: 0x11223344,
      isoAreaMaxSize: 0x10000,
      serialNumber: '000102030405060708090A0B0C0D0E0F',
    });
  });

  it('round-trips a 498-byte template through a data packet', () => {
    const template = Buffer.alloc(498, 0).map((_, index) => (index * 7) & 0xff);
    const result = decodeDataPacket(encodeDataPacket(template), 498);
    expect(result).toEqual({ ok: true, packet: { kind: 'data', data: Buffer.from(template) } });
  });

  it('names why a packet is rejected: another device id with a valid checksum, a bad reply code', () => {
    expect(decodeResponse(hex('55AA 0200 00000000 3000 3101'))).toEqual({ ok: false, reason: 'device-id' });
    // A command packet (code 0x01) echoed back is well formed but is no reply.
    expect(decodeResponse(hex('55AA 0100 00000000 0100 0101'))).toEqual({ ok: false, reason: 'reply-code' });
    expect(decodeDataPacket(OPEN_INFO_PACKET, 23)).toEqual({ ok: false, reason: 'length' });
  });

  it('rejects a wrong-sized Open information payload with a clear error', () => {
    expect(() => decodeOpenInfo(Buffer.alloc(20))).toThrow(/carried 20 bytes instead of 24/);
  });

  it.each([
    ['an ACK', ACK_OPEN, (frame: Buffer) => decodeResponse(frame)],
    ['a NACK', NACK_IDENTIFY_FAILED, (frame: Buffer) => decodeResponse(frame)],
    ['the Open data packet', OPEN_INFO_PACKET, (frame: Buffer) => decodeDataPacket(frame, 24)],
  ])('rejects every single-byte corruption of %s', (_name, valid, decode) => {
    expect(decode(valid).ok).toBe(true);
    let tried = 0;
    for (let index = 0; index < valid.length; index += 1) {
      for (let value = 0; value < 256; value += 1) {
        if (value === valid[index]) continue;
        const corrupted = Buffer.from(valid);
        corrupted[index] = value;
        const result = decode(corrupted);
        if (result.ok) throw new Error(`byte ${index} set to ${value} was accepted`);
        tried += 1;
      }
    }
    expect(tried).toBe(valid.length * 255);
  });
});
