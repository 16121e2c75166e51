/**
 * The R30x "EF01" packet, as ZhianTec/Synochip modules (ZFM-20/60, AS608, R30x, R50x) frame it:
 *
 *   EF 01 | address (4) | PID (1) | length (2, = payload + 2) | payload | checksum (2)
 *
 * all big-endian; the checksum is PID + both length bytes + every payload byte, mod 65536. The
 * address is not covered by the checksum, which is why decoding checks it explicitly.
 */

export const HEADER = Buffer.from([0xef, 0x01]);

export const PacketId = {
  Command: 0x01,
  /** A data packet with more to follow. */
  Data: 0x02,
  Ack: 0x07,
  /** The last data packet of a transfer. */
  EndData: 0x08,
} as const;

export type PacketId = (typeof PacketId)[keyof typeof PacketId];

export const DEFAULT_ADDRESS = 0xffffffff;

/** Start code, address, PID and length: everything before the payload. */
export const HEADER_LENGTH = 9;
const CHECKSUM_LENGTH = 2;
const LENGTH_OFFSET = 7;
/** Bytes a packet adds around its payload. */
export const PACKET_OVERHEAD = HEADER_LENGTH + CHECKSUM_LENGTH;

/** The largest data packet a module can be configured for (packet-size code 3). */
const MAX_PAYLOAD_LENGTH = 256;
/** The length field counts the payload and the checksum. */
const MIN_LENGTH_FIELD = CHECKSUM_LENGTH;
const MAX_LENGTH_FIELD = MAX_PAYLOAD_LENGTH + CHECKSUM_LENGTH;
export const MAX_FRAME_LENGTH = HEADER_LENGTH + MAX_LENGTH_FIELD;

export interface R30xPacket {
  readonly address: number;
  readonly pid: PacketId;
  readonly payload: Buffer;
}

export type DecodeResult =
  { readonly ok: true; readonly packet: R30xPacket } | { readonly ok: false; readonly reason: string };

const PACKET_IDS: ReadonlySet<number> = new Set(Object.values(PacketId));

function isPacketId(value: number): value is PacketId {
  return PACKET_IDS.has(value);
}

export function checksum(pid: number, lengthField: number, payload: Uint8Array): number {
  let sum = pid + (lengthField >> 8) + (lengthField & 0xff);
  for (const byte of payload) sum += byte;
  return sum & 0xffff;
}

export function encodePacket(packet: R30xPacket): Buffer {
  if (packet.payload.length > MAX_PAYLOAD_LENGTH) {
    throw new RangeError(
      `an R30x packet carries at most ${MAX_PAYLOAD_LENGTH} payload bytes, got ${packet.payload.length}`,
    );
  }
  const lengthField = packet.payload.length + CHECKSUM_LENGTH;
  const frame = Buffer.alloc(HEADER_LENGTH + lengthField);
  HEADER.copy(frame, 0);
  frame.writeUInt32BE(packet.address >>> 0, 2);
  frame.writeUInt8(packet.pid, 6);
  frame.writeUInt16BE(lengthField, LENGTH_OFFSET);
  packet.payload.copy(frame, HEADER_LENGTH);
  frame.writeUInt16BE(checksum(packet.pid, lengthField, packet.payload), frame.length - CHECKSUM_LENGTH);
  return frame;
}

/** Reads the length field of a header; undefined until enough bytes are there. */
export function lengthFieldOf(bytes: Uint8Array): number | undefined {
  if (bytes.length < HEADER_LENGTH) return undefined;
  return ((bytes[LENGTH_OFFSET] ?? 0) << 8) | (bytes[LENGTH_OFFSET + 1] ?? 0);
}

export function isPlausibleLengthField(lengthField: number): boolean {
  return lengthField >= MIN_LENGTH_FIELD && lengthField <= MAX_LENGTH_FIELD;
}

/**
 * Checks one complete frame. With `expectedAddress`, a frame for another address is invalid too,
 * so that every single-byte corruption of a valid frame (address bytes included) is rejected.
 */
export function decodePacket(frame: Uint8Array, expectedAddress?: number): DecodeResult {
  const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (bytes.length < HEADER_LENGTH + CHECKSUM_LENGTH) {
    return { ok: false, reason: `frame of ${bytes.length} bytes is shorter than the smallest packet` };
  }
  if (bytes[0] !== HEADER[0] || bytes[1] !== HEADER[1]) {
    return { ok: false, reason: 'frame does not start with EF 01' };
  }
  const address = bytes.readUInt32BE(2);
  if (expectedAddress !== undefined && address !== expectedAddress >>> 0) {
    return { ok: false, reason: `frame is for address ${hex32(address)}, not ${hex32(expectedAddress)}` };
  }
  const pid = bytes.readUInt8(6);
  if (!isPacketId(pid)) return { ok: false, reason: `unknown packet id 0x${hex8(pid)}` };
  const lengthField = bytes.readUInt16BE(LENGTH_OFFSET);
  if (!isPlausibleLengthField(lengthField)) {
    return { ok: false, reason: `impossible length field ${lengthField}` };
  }
  if (bytes.length !== HEADER_LENGTH + lengthField) {
    return {
      ok: false,
      reason: `length field says ${HEADER_LENGTH + lengthField} bytes, frame has ${bytes.length}`,
    };
  }
  const payload = bytes.subarray(HEADER_LENGTH, bytes.length - CHECKSUM_LENGTH);
  const received = bytes.readUInt16BE(bytes.length - CHECKSUM_LENGTH);
  const computed = checksum(pid, lengthField, payload);
  if (received !== computed) {
    return { ok: false, reason: `checksum 0x${hex16(received)} should be 0x${hex16(computed)}` };
  }
  return { ok: true, packet: { address, pid, payload: Buffer.from(payload) } };
}

export function hex8(value: number): string {
  return value.toString(16).padStart(2, '0').toUpperCase();
}

function hex16(value: number): string {
  return value.toString(16).padStart(4, '0').toUpperCase();
}

export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0').toUpperCase()}`;
}

/**
 * Splits a host → module transfer into data packets of the module's packet size: PID 02 for all
 * but the last, PID 08 for the last. The module acks none of them.
 */
export function encodeDataPackets(address: number, data: Buffer, packetSize: number): Buffer {
  if (data.length === 0) throw new RangeError('a data transfer needs at least one byte');
  const packets: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += packetSize) {
    const last = offset + packetSize >= data.length;
    packets.push(
      encodePacket({
        address,
        pid: last ? PacketId.EndData : PacketId.Data,
        payload: data.subarray(offset, offset + packetSize),
      }),
    );
  }
  return Buffer.concat(packets);
}
