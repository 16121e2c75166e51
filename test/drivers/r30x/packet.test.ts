import { describe, expect, it } from 'vitest';
import {
  decodePacket,
  DEFAULT_ADDRESS,
  encodeDataPackets,
  encodePacket,
  PacketId,
  type R30xPacket,
} from '../../../drivers/r30x/framing/packet.js';
import { hex } from './bytes.js';
import { stringMatching } from '../../helpers/matchers.js';

describe('R30x packet codec: the example vectors of drivers/r30x/README.md', () => {
  it.each([
    ['GenImg', PacketId.Command, '01', 'EF01 FFFFFFFF 01 0003 01 0005'],
    ['VfyPwd(0)', PacketId.Command, '13 00000000', 'EF01 FFFFFFFF 01 0007 13 00000000 001B'],
    ['ReadSysPara', PacketId.Command, '0F', 'EF01 FFFFFFFF 01 0003 0F 0013'],
    ['ACK OK', PacketId.Ack, '00', 'EF01 FFFFFFFF 07 0003 00 000A'],
    ['M5Stack wake-up ack', PacketId.Ack, 'FF', 'EF01 FFFFFFFF 07 0003 FF 0109'],
  ])('%s encodes and decodes byte for byte', (_name, pid, payload, wire) => {
    const packet: R30xPacket = { address: DEFAULT_ADDRESS, pid, payload: hex(payload) };
    expect(encodePacket(packet).toString('hex')).toBe(hex(wire).toString('hex'));
    expect(decodePacket(hex(wire), DEFAULT_ADDRESS)).toEqual({ ok: true, packet });
  });

  it('leaves the address out of the checksum (GenImg to 0x12345678)', () => {
    const frame = encodePacket({ address: 0x12345678, pid: PacketId.Command, payload: hex('01') });
    expect(frame).toEqual(hex('EF01 12345678 01 0003 01 0005'));
    expect(decodePacket(frame, 0x12345678).ok).toBe(true);
    expect(decodePacket(frame, DEFAULT_ADDRESS)).toMatchObject({ ok: false, reason: stringMatching(/address/) });
  });

  it('carries a checksum above 0xFF in both bytes (Search reply: page 400, score 100)', () => {
    // 07 + 00 + 07 + 00 + 01 + 90 + 00 + 64 = 0x0103
    const frame = encodePacket({ address: DEFAULT_ADDRESS, pid: PacketId.Ack, payload: hex('00 0190 0064') });
    expect(frame).toEqual(hex('EF01 FFFFFFFF 07 0007 00 0190 0064 0103'));
  });

  it('refuses to encode a payload larger than the largest packet size', () => {
    expect(() => encodePacket({ address: DEFAULT_ADDRESS, pid: PacketId.Data, payload: Buffer.alloc(257) })).toThrow(
      /at most 256/,
    );
  });
});

describe('R30x decodePacket rejects every single-byte corruption', () => {
  const frames: Record<string, Buffer> = {
    GenImg: hex('EF01 FFFFFFFF 01 0003 01 0005'),
    'VfyPwd(0)': hex('EF01 FFFFFFFF 01 0007 13 00000000 001B'),
    'ACK OK': hex('EF01 FFFFFFFF 07 0003 00 000A'),
    'Search reply': hex('EF01 FFFFFFFF 07 0007 00 0190 0064 0103'),
    'data packet': encodePacket({
      address: DEFAULT_ADDRESS,
      pid: PacketId.EndData,
      payload: Buffer.from(Array.from({ length: 32 }, (_, index) => (index * 37) & 0xff)),
    }),
  };

  it.each(Object.entries(frames))('%s: every position, several bit patterns', (_name, frame) => {
    expect(decodePacket(frame, DEFAULT_ADDRESS).ok).toBe(true);
    let corruptions = 0;
    for (let position = 0; position < frame.length; position += 1) {
      for (const mask of [0x01, 0x02, 0x10, 0x80, 0x5a, 0xff]) {
        const corrupted = Buffer.from(frame);
        corrupted[position] = (corrupted[position] ?? 0) ^ mask;
        const result = decodePacket(corrupted, DEFAULT_ADDRESS);
        expect(result.ok, `byte ${position} ^ 0x${mask.toString(16)} was accepted`).toBe(false);
        corruptions += 1;
      }
    }
    expect(corruptions).toBe(frame.length * 6);
  });

  it('rejects a frame cut short or with a byte too many', () => {
    const frame = frames['ACK OK'] as Buffer;
    expect(decodePacket(frame.subarray(0, frame.length - 1)).ok).toBe(false);
    expect(decodePacket(Buffer.concat([frame, hex('00')])).ok).toBe(false);
  });
});

describe('R30x data packets for a host → module transfer', () => {
  it('splits at the packet size, PID 02 for all but the last, PID 08 for the last', () => {
    const template = Buffer.from(Array.from({ length: 80 }, (_, index) => index));
    const wire = encodeDataPackets(DEFAULT_ADDRESS, template, 32);
    // 32 + 32 + 16 bytes of payload, 11 bytes of framing each.
    expect(wire.length).toBe(80 + 3 * 11);
    const first = decodePacket(wire.subarray(0, 43), DEFAULT_ADDRESS);
    const last = decodePacket(wire.subarray(86), DEFAULT_ADDRESS);
    expect(first).toMatchObject({ ok: true, packet: { pid: PacketId.Data, payload: template.subarray(0, 32) } });
    expect(last).toMatchObject({ ok: true, packet: { pid: PacketId.EndData, payload: template.subarray(64) } });
  });

  it('sends a transfer that fits one packet as a single end-of-data packet', () => {
    const wire = encodeDataPackets(DEFAULT_ADDRESS, hex('0102'), 128);
    // 08 + 00 + 04 + 01 + 02 = 0x0F
    expect(wire).toEqual(hex('EF01 FFFFFFFF 08 0004 0102 000F'));
  });
});
