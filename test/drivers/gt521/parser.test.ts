import { describe, expect, it } from 'vitest';
import { encodeDataPacket } from '../../../drivers/gt521/framing/packet.js';
import { Gt521Parser } from '../../../drivers/gt521/framing/parser.js';
import { hex, randomBytes, seededRandom } from './bytes.js';

const ACK = hex('55AA 0100 00000000 3000 3001');
const NACK_NOT_PRESSED = hex('55AA 0100 12100000 3100 5301');
const OTHER_DEVICE_ACK = hex('55AA 0200 00000000 3000 3101');
const TEMPLATE = Buffer.alloc(498).map((_, index) => (index * 13 + 5) & 0xff);

const ack = { kind: 'response', ack: true, param: 0 };
const notPressed = { kind: 'response', ack: false, param: 0x1012 };

describe('Gt521Parser', () => {
  it('decodes one packet, and two packets that arrive in one chunk', () => {
    const parser = new Gt521Parser();
    expect(parser.push(ACK)).toEqual([ack]);
    expect(parser.push(Buffer.concat([NACK_NOT_PRESSED, ACK]))).toEqual([notPressed, ack]);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('waits for a packet split across chunks, including a header split between its two bytes', () => {
    const parser = new Gt521Parser();
    expect(parser.push(Buffer.concat([hex('0013'), ACK.subarray(0, 1)]))).toEqual([]);
    expect(parser.push(ACK.subarray(1, 7))).toEqual([]);
    expect(parser.push(ACK.subarray(7))).toEqual([ack]);
  });

  it('decodes a packet fed one byte at a time', () => {
    const parser = new Gt521Parser();
    const seen = [...ACK, ...NACK_NOT_PRESSED].flatMap((byte) => parser.push(Buffer.of(byte)));
    expect(seen).toEqual([ack, notPressed]);
  });

  it('skips garbage before a header and a packet with a bad checksum, then decodes the next', () => {
    const parser = new Gt521Parser();
    const badChecksum = Buffer.from(ACK);
    badChecksum[11] = 0x00;
    expect(parser.push(Buffer.concat([hex('00FF5512'), badChecksum, ACK]))).toEqual([ack]);
  });

  it('ignores a valid-checksum packet from another device id', () => {
    const parser = new Gt521Parser();
    expect(parser.push(Buffer.concat([OTHER_DEVICE_ACK, NACK_NOT_PRESSED]))).toEqual([notPressed]);
  });

  it('treats 5A A5 as noise until a data packet is expected, then reads it at the announced length', () => {
    const parser = new Gt521Parser();
    const packet = encodeDataPacket(TEMPLATE);
    expect(parser.push(packet)).toEqual([]);
    expect(parser.bufferedBytes).toBe(0);

    parser.expectData(498);
    expect(parser.push(Buffer.concat([ACK, packet.subarray(0, 300)]))).toEqual([ack]);
    expect(parser.push(packet.subarray(300))).toEqual([{ kind: 'data', data: TEMPLATE }]);
    // The announcement is used up: the same bytes again are noise.
    expect(parser.push(packet)).toEqual([]);
  });

  it('keeps the announcement across a damaged data packet so the next good one still decodes', () => {
    const parser = new Gt521Parser();
    parser.expectData(498);
    const damaged = encodeDataPacket(TEMPLATE);
    damaged[200] = (TEMPLATE[196]! + 1) & 0xff;
    expect(parser.push(Buffer.concat([damaged, encodeDataPacket(TEMPLATE)]))).toEqual([
      { kind: 'data', data: TEMPLATE },
    ]);
  });

  it('rejects every single-byte corruption of a frame in the stream and decodes the frame after it', () => {
    for (let index = 0; index < NACK_NOT_PRESSED.length; index += 1) {
      for (let value = 0; value < 256; value += 1) {
        if (value === NACK_NOT_PRESSED[index]) continue;
        const parser = new Gt521Parser();
        const corrupted = Buffer.from(NACK_NOT_PRESSED);
        corrupted[index] = value;
        expect(parser.push(corrupted)).toEqual([]);
        expect(parser.push(ACK)).toEqual([ack]);
      }
    }
  });

  it('survives 100 kB of seeded noise with fake headers and foreign packets, under its cap', () => {
    const random = seededRandom(0x521f);
    const parser = new Gt521Parser();
    const pieces: Buffer[] = [];
    for (let total = 0; total < 100_000;) {
      const choice = random();
      const piece =
        choice < 0.1
          ? Buffer.concat([hex('55AA'), randomBytes(random, Math.floor(random() * 14))])
          : choice < 0.2
            ? Buffer.concat([hex('5AA5 0100'), randomBytes(random, Math.floor(random() * 600))])
            : choice < 0.25
              ? OTHER_DEVICE_ACK
              : randomBytes(random, 1 + Math.floor(random() * 2000));
      pieces.push(piece);
      total += piece.length;
    }
    const noise = Buffer.concat(pieces);
    const decoded = [];
    for (let offset = 0; offset < noise.length;) {
      // Data expectations come and go as they would between commands.
      parser.expectData(random() < 0.5 ? 498 : undefined);
      const size = 1 + Math.floor(random() * 700);
      decoded.push(...parser.push(noise.subarray(offset, offset + size)));
      expect(parser.bufferedBytes).toBeLessThan(parser.capacity);
      offset += size;
    }
    // Random bytes essentially never form a packet with a valid checksum, device id and reply code.
    expect(decoded).toEqual([]);
    parser.expectData(498);
    const tail = parser.push(Buffer.concat([ACK, encodeDataPacket(TEMPLATE)]));
    expect(tail).toEqual([ack, { kind: 'data', data: TEMPLATE }]);
  });

  it('refuses to expect a data packet longer than its buffer', () => {
    expect(() => new Gt521Parser(undefined, 1024).expectData(52116)).toThrow(
      /data packet of 52116 bytes does not fit the parser's 1024-byte buffer/,
    );
  });
});
