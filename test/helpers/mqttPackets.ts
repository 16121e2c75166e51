/**
 * An incremental MQTT packet splitter for test proxies: feed it the bytes of one direction of a
 * TCP connection as they arrive, get back whole packets with the facts tests assert on. It reads
 * only the fixed header and, for PUBLISH and PUBACK, the packet identifier; it does not validate.
 * Works for MQTT 3.1.1 and 5 alike (in both, a PUBLISH's packet id follows the topic and a
 * PUBACK's comes first; MQTT 5 properties come after and are not read).
 */

export const PACKET_TYPES = [
  'reserved',
  'connect',
  'connack',
  'publish',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'suback',
  'unsubscribe',
  'unsuback',
  'pingreq',
  'pingresp',
  'disconnect',
  'auth',
] as const;
export type PacketType = (typeof PACKET_TYPES)[number];

export interface MqttPacket {
  type: PacketType;
  /** The packet's bytes, fixed header included: forward these to pass it on unchanged. */
  raw: Buffer;
  /** PUBLISH only: QoS from the fixed header flags. */
  qos?: 0 | 1 | 2;
  /** PUBLISH only. */
  topic?: string;
  /** PUBLISH with QoS > 0; the acknowledgements and (UN)SUBSCRIBE/(UN)SUBACK, where it comes first. */
  packetId?: number;
}

/** Thrown when the bytes cannot be MQTT (a remaining length over 4 bytes): e.g. TLS through a plain proxy. */
export class NotMqttError extends Error {}

/** Remaining length (a varint of up to 4 bytes) at `offset`; undefined when not all bytes are here yet. */
function readRemainingLength(buffer: Buffer, offset: number): { length: number; bytes: number } | undefined {
  let length = 0;
  for (let index = 0; index < 4; index += 1) {
    const byte = buffer[offset + index];
    if (byte === undefined) return undefined;
    length += (byte & 0x7f) * 128 ** index;
    if ((byte & 0x80) === 0) return { length, bytes: index + 1 };
  }
  throw new NotMqttError('remaining length longer than 4 bytes: not an MQTT stream');
}

/** Packet types whose variable header starts with the packet identifier. */
const ID_FIRST = new Set<PacketType>([
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'suback',
  'unsubscribe',
  'unsuback',
]);

function describe(raw: Buffer, bodyOffset: number): MqttPacket {
  const type = PACKET_TYPES[raw[0]! >> 4]!;
  if (type === 'publish') {
    const qos = ((raw[0]! >> 1) & 0x03) as 0 | 1 | 2;
    const topicLength = raw.readUInt16BE(bodyOffset);
    const topic = raw.subarray(bodyOffset + 2, bodyOffset + 2 + topicLength).toString('utf8');
    const packetId = qos > 0 ? raw.readUInt16BE(bodyOffset + 2 + topicLength) : undefined;
    return { type, raw, qos, topic, ...(packetId === undefined ? {} : { packetId }) };
  }
  if (ID_FIRST.has(type)) return { type, raw, packetId: raw.readUInt16BE(bodyOffset) };
  return { type, raw };
}

/** Splits one direction of a connection into packets; keeps a partial packet until its rest arrives. */
export class MqttPacketSplitter {
  private pending: Buffer = Buffer.alloc(0);

  /** Bytes received and not yet part of a whole packet. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Appends `chunk` and returns every packet now complete, in order. */
  push(chunk: Buffer): MqttPacket[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const packets: MqttPacket[] = [];
    for (;;) {
      const header = readRemainingLength(this.pending, 1);
      if (header === undefined) break;
      const total = 1 + header.bytes + header.length;
      if (this.pending.length < total) break;
      packets.push(describe(this.pending.subarray(0, total), 1 + header.bytes));
      this.pending = this.pending.subarray(total);
    }
    return packets;
  }
}
