import { DriverError, DriverErrorCode } from '../../common/errors.js';
import {
  ACK,
  COMMAND_PACKET_SIZE,
  COMMAND_START,
  DATA_PACKET_OVERHEAD,
  DATA_START,
  DEVICE_ID,
  NACK,
  OPEN_INFO_SIZE,
  type Gt521CommandCode,
} from './constants.js';

/** A command the host sends: the code and its 32-bit parameter. */
export interface Gt521Request {
  readonly command: Gt521CommandCode;
  /** For logs and error messages, e.g. "CaptureFinger(best)". */
  readonly name: string;
  readonly param: number;
}

/** The module's answer to a command: ACK with a result, or NACK with an error code in param. */
export interface Gt521Response {
  readonly kind: 'response';
  readonly ack: boolean;
  readonly param: number;
}

export interface Gt521Data {
  readonly kind: 'data';
  readonly data: Buffer;
}

export type Gt521Packet = Gt521Response | Gt521Data;

export type DecodeFailure = 'header' | 'device-id' | 'checksum' | 'reply-code' | 'length';
export type DecodeResult<P> = { ok: true; packet: P } | { ok: false; reason: DecodeFailure };

/** What Open with a non-zero parameter reports about the module. */
export interface Gt521OpenInfo {
  readonly firmwareVersion: number;
  readonly isoAreaMaxSize: number;
  /** The 16-byte device serial number as upper-case hex, which binds a module to its device. */
  readonly serialNumber: string;
}

/** 16-bit sum of every byte: the checksum of all three packet kinds. */
export function checksum16(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let index = start; index < end; index += 1) sum += bytes[index]!;
  return sum & 0xffff;
}

export function encodeCommand(request: Gt521Request): Buffer {
  const packet = Buffer.alloc(COMMAND_PACKET_SIZE);
  packet[0] = COMMAND_START[0];
  packet[1] = COMMAND_START[1];
  packet.writeUInt16LE(DEVICE_ID, 2);
  packet.writeUInt32LE(request.param >>> 0, 4);
  packet.writeUInt16LE(request.command, 8);
  packet.writeUInt16LE(checksum16(packet, 0, 10), 10);
  return packet;
}

export function encodeDataPacket(data: Uint8Array): Buffer {
  const packet = Buffer.alloc(data.length + DATA_PACKET_OVERHEAD);
  packet[0] = DATA_START[0];
  packet[1] = DATA_START[1];
  packet.writeUInt16LE(DEVICE_ID, 2);
  packet.set(data, 4);
  packet.writeUInt16LE(checksum16(packet, 0, packet.length - 2), packet.length - 2);
  return packet;
}

/** Checks a complete 12-byte response; the header, device id, checksum and reply code must all hold. */
export function decodeResponse(frame: Uint8Array): DecodeResult<Gt521Response> {
  if (frame.length !== COMMAND_PACKET_SIZE) return { ok: false, reason: 'length' };
  if (frame[0] !== COMMAND_START[0] || frame[1] !== COMMAND_START[1]) {
    return { ok: false, reason: 'header' };
  }
  const view = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  if (view.readUInt16LE(10) !== checksum16(frame, 0, 10)) return { ok: false, reason: 'checksum' };
  if (view.readUInt16LE(2) !== DEVICE_ID) return { ok: false, reason: 'device-id' };
  const code = view.readUInt16LE(8);
  if (code !== ACK && code !== NACK) return { ok: false, reason: 'reply-code' };
  return { ok: true, packet: { kind: 'response', ack: code === ACK, param: view.readUInt32LE(4) } };
}

/** Checks a complete data packet whose payload length the command that asked for it fixes. */
export function decodeDataPacket(frame: Uint8Array, dataLength: number): DecodeResult<Gt521Data> {
  if (frame.length !== dataLength + DATA_PACKET_OVERHEAD) return { ok: false, reason: 'length' };
  if (frame[0] !== DATA_START[0] || frame[1] !== DATA_START[1]) {
    return { ok: false, reason: 'header' };
  }
  const view = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  const end = frame.length - 2;
  if (view.readUInt16LE(end) !== checksum16(frame, 0, end)) return { ok: false, reason: 'checksum' };
  if (view.readUInt16LE(2) !== DEVICE_ID) return { ok: false, reason: 'device-id' };
  return { ok: true, packet: { kind: 'data', data: Buffer.from(view.subarray(4, end)) } };
}

export function decodeOpenInfo(data: Uint8Array): Gt521OpenInfo {
  if (data.length !== OPEN_INFO_SIZE) {
    throw new DriverError(
      DriverErrorCode.UnexpectedReply,
      `the module's Open information carried ${data.length} bytes instead of ${OPEN_INFO_SIZE}`,
      { length: data.length },
    );
  }
  const view = Buffer.from(data.buffer, data.byteOffset, data.length);
  return {
    firmwareVersion: view.readUInt32LE(0),
    isoAreaMaxSize: view.readUInt32LE(4),
    serialNumber: view.subarray(8, 24).toString('hex').toUpperCase(),
  };
}
