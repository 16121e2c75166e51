/** A GT data packet (5A A5 | 01 00 | data | 16-bit sum), for tests that send templates; fixed
 * commands stay hand-written hex in the tests. */
export function gt521DataPacket(data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0x5a, 0xa5, 0x01, 0x00]), data]);
  let sum = 0;
  for (const byte of body) sum += byte;
  const tail = Buffer.alloc(2);
  tail.writeUInt16LE(sum & 0xffff, 0);
  return Buffer.concat([body, tail]);
}
