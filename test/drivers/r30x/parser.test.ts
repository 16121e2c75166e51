import { describe, expect, it } from 'vitest';
import type { DriverLogger } from '../../../drivers/common/logger.js';
import { DEFAULT_ADDRESS, encodePacket, PacketId, type R30xPacket } from '../../../drivers/r30x/framing/packet.js';
import { PARSER_BUFFER_CAP, R30xParser } from '../../../drivers/r30x/framing/parser.js';
import { hex, seededBytes } from './bytes.js';

const ACK_OK = hex('EF01 FFFFFFFF 07 0003 00 000A');
const SEARCH_HIT = hex('EF01 FFFFFFFF 07 0007 00 0190 0064 0103');

function harness(address = DEFAULT_ADDRESS) {
  const packets: R30xPacket[] = [];
  const debug: object[] = [];
  const logger: DriverLogger = {
    debug: (fields) => debug.push(fields),
    info: () => {},
    warn: () => {},
    error: () => {},
  };
  const parser = new R30xParser({
    address,
    accept: new Set([PacketId.Ack, PacketId.Data, PacketId.EndData]),
    onPacket: (packet) => packets.push(packet),
    logger,
  });
  const feed = (...chunks: Buffer[]): void => {
    for (const chunk of chunks) {
      parser.push(chunk);
      expect(parser.bufferedBytes).toBeLessThanOrEqual(PARSER_BUFFER_CAP);
    }
  };
  return { parser, packets, debug, feed };
}

const ackOk = { address: DEFAULT_ADDRESS, pid: PacketId.Ack, payload: hex('00') };

describe('R30x streaming parser', () => {
  it('decodes one frame', () => {
    const { packets, feed } = harness();
    feed(ACK_OK);
    expect(packets).toEqual([ackOk]);
  });

  it('decodes two frames in one chunk', () => {
    const { packets, feed } = harness();
    feed(Buffer.concat([ACK_OK, SEARCH_HIT]));
    expect(packets.map((packet) => packet.payload.toString('hex'))).toEqual(['00', '0001900064']);
  });

  it('decodes a frame split byte by byte, header included', () => {
    const { packets, feed } = harness();
    for (const byte of SEARCH_HIT) feed(Buffer.of(byte));
    expect(packets).toHaveLength(1);
    expect(packets[0]?.payload).toEqual(hex('00 0190 0064'));
  });

  it('decodes a frame whose EF and 01 arrive in different chunks after garbage', () => {
    const { packets, feed } = harness();
    feed(hex('00 55 13 37 EF'), Buffer.concat([ACK_OK.subarray(1, 5)]), ACK_OK.subarray(5));
    expect(packets).toEqual([ackOk]);
  });

  it("skips the R503's power-on 0x55 and a spurious 0x00 before the first reply", () => {
    const { packets, feed } = harness();
    feed(hex('00 55'), ACK_OK);
    expect(packets).toEqual([ackOk]);
  });

  it('drops a frame with a bad checksum, logs it at debug level, and decodes the next', () => {
    const { packets, debug, feed } = harness();
    const damaged = Buffer.from(ACK_OK);
    damaged[damaged.length - 1] = 0x0b;
    feed(damaged, ACK_OK);
    expect(packets).toEqual([ackOk]);
    expect(debug).toContainEqual({ reason: 'checksum 0x000B should be 0x000A' });
  });

  it('ignores valid-checksum frames for another address or with a host-side-impossible packet id', () => {
    const { packets, feed } = harness();
    const otherAddress = encodePacket({ address: 0x12345678, pid: PacketId.Ack, payload: hex('00') });
    const command = encodePacket({ address: DEFAULT_ADDRESS, pid: PacketId.Command, payload: hex('01') });
    const unknownPid = hex('EF01 FFFFFFFF 05 0003 00 0008');
    feed(otherAddress, command, unknownPid, ACK_OK);
    expect(packets).toEqual([ackOk]);
  });

  it('honours a configured non-default address', () => {
    const { packets, feed } = harness(0x12345678);
    const mine = encodePacket({ address: 0x12345678, pid: PacketId.Ack, payload: hex('00') });
    feed(ACK_OK, mine);
    expect(packets).toEqual([{ ...ackOk, address: 0x12345678 }]);
  });

  it('rejects impossible lengths at once instead of waiting for them', () => {
    const { packets, parser, feed } = harness();
    feed(hex('EF01 FFFFFFFF 07 FFFF'), hex('EF01 FFFFFFFF 07 0001'), hex('EF01 FFFFFFFF 07 0000'));
    expect(parser.bufferedBytes).toBeLessThan(2);
    feed(ACK_OK);
    expect(packets).toEqual([ackOk]);
  });

  it('finds a real frame inside the span a false header claimed', () => {
    const { packets, feed } = harness();
    // A plausible header claiming 32 bytes, then the real reply long before those 32 are due.
    feed(hex('EF01 FFFFFFFF 07 0020'), ACK_OK);
    expect(packets).toEqual([ackOk]);
  });

  it('keeps a truncated frame only until reset() (the protocol resets before each command)', () => {
    const { packets, parser, feed } = harness();
    feed(hex('EF01 FFFFFFFF 07 0020 00'));
    expect(parser.bufferedBytes).toBe(10);
    parser.reset();
    feed(ACK_OK);
    expect(packets).toEqual([ackOk]);
  });

  it('survives 100 kB of seeded noise with fake headers, stays under its cap, then decodes a reply', () => {
    const { packets, feed } = harness();
    const noise = seededBytes(0x5eed, 100_000);
    const fakeHeaders = [
      hex('EF01 FFFFFFFF 07 FFFF'),
      hex('EF01 FFFFFFFF 02 FFFF 00'),
      encodePacket({ address: 0x00000001, pid: PacketId.Ack, payload: hex('00') }),
      encodePacket({ address: DEFAULT_ADDRESS, pid: PacketId.Command, payload: hex('0F') }),
    ];
    // Chunk sizes vary from 1 to 600 bytes; fake headers land between chunks and split across them.
    for (let offset = 0, round = 0; offset < noise.length; round += 1) {
      const size = 1 + (((noise[offset] ?? 0) * 7 + round) % 600);
      const fake = fakeHeaders[round % fakeHeaders.length] as Buffer;
      const chunk = Buffer.concat([noise.subarray(offset, offset + size), fake]);
      feed(chunk.subarray(0, chunk.length >> 1), chunk.subarray(chunk.length >> 1));
      offset += size;
    }
    const noisePackets = packets.length;
    feed(ACK_OK);
    expect(packets.slice(noisePackets)).toEqual([ackOk]);
    // Random bytes do not make a valid EF01 frame for our address by chance.
    expect(noisePackets).toBe(0);
  });

  it('never throws, whatever the chunk: empty, huge, or every byte value', () => {
    const { packets, feed } = harness();
    expect(() => {
      feed(Buffer.alloc(0));
      feed(Buffer.from(Array.from({ length: 256 }, (_, value) => value)));
      feed(seededBytes(7, 1_000_000));
      feed(Buffer.alloc(10_000, 0xef));
      feed(Buffer.concat(Array.from({ length: 500 }, () => hex('EF01'))));
    }).not.toThrow();
    feed(ACK_OK);
    expect(packets.at(-1)).toEqual(ackOk);
  });

  it('recovers the next frame after every single-byte corruption of a reply', () => {
    for (let position = 0; position < SEARCH_HIT.length; position += 1) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const { packets, feed } = harness();
        const corrupted = Buffer.from(SEARCH_HIT);
        corrupted[position] = (corrupted[position] ?? 0) ^ mask;
        feed(corrupted, ACK_OK);
        expect(packets, `byte ${position} ^ 0x${mask.toString(16)}`).toEqual([ackOk]);
      }
    }
  });
});

describe('R30x parser and a faulty consumer', () => {
  it('keeps parsing when the consumer of one packet throws', () => {
    const seen: string[] = [];
    const parser = new R30xParser({
      address: DEFAULT_ADDRESS,
      accept: new Set([PacketId.Ack]),
      onPacket: (packet) => {
        seen.push(packet.payload.toString('hex'));
        if (seen.length === 1) throw new Error('consumer bug');
      },
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    expect(() => parser.push(Buffer.concat([SEARCH_HIT, ACK_OK]))).not.toThrow();
    parser.push(ACK_OK);
    expect(seen).toEqual(['0001900064', '00', '00']);
  });
});
