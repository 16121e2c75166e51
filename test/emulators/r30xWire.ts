import type { HostPort } from './hostPort.js';

/**
 * Just enough of the EF01 packet format for emulator tests to build data packets and read replies
 * whose length they cannot know up front. Fixed commands stay hand-written hex in the tests.
 */
export function r30xPacket(pid: number, payload: Buffer, address = 0xffffffff): Buffer {
  const length = payload.length + 2;
  let sum = pid + (length >> 8) + (length & 0xff);
  for (const byte of payload) sum += byte;
  const head = Buffer.alloc(9);
  head.writeUInt16BE(0xef01, 0);
  head.writeUInt32BE(address, 2);
  head.writeUInt8(pid, 6);
  head.writeUInt16BE(length, 7);
  const tail = Buffer.alloc(2);
  tail.writeUInt16BE(sum & 0xffff, 0);
  return Buffer.concat([head, payload, tail]);
}

export interface ReceivedPacket {
  pid: number;
  payload: Buffer;
  raw: Buffer;
}

export async function readR30xPacket(host: HostPort, timeoutMs = 2_000): Promise<ReceivedPacket> {
  const head = await host.read(9, timeoutMs);
  if (head.readUInt16BE(0) !== 0xef01) throw new Error(`not an EF01 header: ${head.toString('hex')}`);
  const rest = await host.read(head.readUInt16BE(7), timeoutMs);
  return { pid: head[6]!, payload: rest.subarray(0, rest.length - 2), raw: Buffer.concat([head, rest]) };
}
