/**
 * Typed decoders for the bytes that follow the confirmation code in a successful ack. Each is
 * called only with a reply at least as long as its command declares (the protocol layer checks).
 */
import { DriverError, DriverErrorCode } from '../../common/errors.js';

export const BAUD_UNIT = 9600;
export const PACKET_SIZES = [32, 64, 128, 256] as const;
export type PacketSize = (typeof PACKET_SIZES)[number];

/** Slots described by one ReadIndexTable page (32 bytes × 8 bits). */
export const INDEX_PAGE_SLOTS = 256;
export const NOTEPAD_PAGE_BYTES = 32;
export const NOTEPAD_PAGES = 16;

export const SYSTEM_PARAMETERS_LENGTH = 16;

export interface SystemParameters {
  /** Bits: 0 busy, 1 matched, 2 password verified, 3 image buffer valid. */
  readonly status: number;
  readonly systemId: number;
  readonly capacity: number;
  readonly securityLevel: number;
  readonly address: number;
  readonly packetSize: PacketSize;
  /** N of 9600 × N; some modules report 0 or an odd value here, so the host's speed wins. */
  readonly baudMultiplier: number;
}

export function decodeSystemParameters(reply: Buffer): SystemParameters {
  const packetSizeCode = reply.readUInt16BE(12);
  const packetSize = PACKET_SIZES[packetSizeCode];
  if (packetSize === undefined) {
    throw unexpected('ReadSysPara', `packet-size code ${packetSizeCode} is not one of 0–3`);
  }
  const capacity = reply.readUInt16BE(4);
  if (capacity === 0) throw unexpected('ReadSysPara', 'the module reports a capacity of 0 slots');
  return {
    status: reply.readUInt16BE(0),
    systemId: reply.readUInt16BE(2),
    capacity,
    securityLevel: reply.readUInt16BE(6),
    address: reply.readUInt32BE(8),
    packetSize,
    baudMultiplier: reply.readUInt16BE(14),
  };
}

export interface SearchHit {
  readonly slot: number;
  readonly score: number;
}

export function decodeSearchHit(reply: Buffer): SearchHit {
  return { slot: reply.readUInt16BE(0), score: reply.readUInt16BE(2) };
}

export function decodeU16(reply: Buffer): number {
  return reply.readUInt16BE(0);
}

export function decodeU32(reply: Buffer): number {
  return reply.readUInt32BE(0);
}

/** Bit b of byte i marks slot page × 256 + i × 8 + b as used (least significant bit first). */
export function decodeIndexPage(page: number, bitmap: Buffer): number[] {
  const slots: number[] = [];
  const base = page * INDEX_PAGE_SLOTS;
  for (let byteIndex = 0; byteIndex < INDEX_PAGE_SLOTS / 8; byteIndex += 1) {
    const byte = bitmap[byteIndex] ?? 0;
    for (let bit = 0; bit < 8; bit += 1) {
      if ((byte >> bit) & 1) slots.push(base + byteIndex * 8 + bit);
    }
  }
  return slots;
}

export function decodeNotepadPage(reply: Buffer): Buffer {
  return Buffer.from(reply.subarray(0, NOTEPAD_PAGE_BYTES));
}

function unexpected(command: string, detail: string): DriverError {
  return new DriverError(DriverErrorCode.UnexpectedReply, `${command} reply makes no sense: ${detail}`, {
    command,
  });
}
