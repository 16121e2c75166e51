/** Test helpers: hex vectors as written in datasheets, and seeded noise. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

export { seededRandom } from '../../helpers/seededRandom.js';

export function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let index = 0; index < length; index += 1) bytes[index] = Math.floor(random() * 256);
  return bytes;
}

/** A GT response packet built straight from the datasheet layout, independently of the driver. */
export function gtResponse(ack: boolean, param: number): Buffer {
  const packet = Buffer.from([0x55, 0xaa, 0x01, 0x00, 0, 0, 0, 0, ack ? 0x30 : 0x31, 0x00, 0, 0]);
  packet.writeUInt32LE(param, 4);
  packet.writeUInt16LE(sum16(packet.subarray(0, 10)), 10);
  return packet;
}

export function gtData(payload: Uint8Array): Buffer {
  const packet = Buffer.concat([Buffer.from([0x5a, 0xa5, 0x01, 0x00]), payload, Buffer.alloc(2)]);
  packet.writeUInt16LE(sum16(packet.subarray(0, packet.length - 2)), packet.length - 2);
  return packet;
}

function sum16(bytes: Uint8Array): number {
  return bytes.reduce((sum, byte) => sum + byte, 0) & 0xffff;
}
