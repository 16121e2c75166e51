import { DriverError, DriverErrorCode } from '../../common/errors.js';
import { silentLogger, type DriverLogger } from '../../common/logger.js';
import { COMMAND_PACKET_SIZE, COMMAND_START, DATA_PACKET_OVERHEAD, DATA_START } from './constants.js';
import { decodeDataPacket, decodeResponse, type DecodeResult, type Gt521Packet } from './packet.js';

/** Enough for a template data packet (504 bytes) with room to spare; nothing longer is ever expected. */
export const DEFAULT_PARSER_CAPACITY = 2048;

/**
 * Streaming parser for the GT-5x1 byte stream: bytes in, checked packets out; it never throws.
 *
 * A data packet carries no length field, so a 5A A5 header is only a header while the protocol
 * layer has announced, through expectData(), the payload length of the data packet its current
 * command returns. Without that announcement 5A A5 is noise. The parser resynchronises one byte
 * past any header whose packet fails its checks, skips whole packets that carry another device
 * id, and never holds more than one packet's worth of bytes (under `capacity`) between pushes.
 */
export class Gt521Parser {
  private buffer: Buffer = Buffer.alloc(0);
  private expectedDataLength: number | undefined;

  constructor(
    private readonly logger: DriverLogger = silentLogger,
    readonly capacity: number = DEFAULT_PARSER_CAPACITY,
  ) {}

  /** Bytes held back waiting for the rest of a packet. */
  get bufferedBytes(): number {
    return this.buffer.length;
  }

  /** Announces the payload length of the next data packet, or withdraws the announcement. */
  expectData(length: number | undefined): void {
    const fits =
      length === undefined || (Number.isInteger(length) && length > 0 && length + DATA_PACKET_OVERHEAD < this.capacity);
    if (!fits) {
      throw new DriverError(
        DriverErrorCode.Unsupported,
        `a GT-521F data packet of ${length} bytes does not fit the parser's ${this.capacity}-byte buffer`,
        { length, capacity: this.capacity },
      );
    }
    this.expectedDataLength = length;
  }

  /** Forgets buffered bytes and any announcement, e.g. after the line speed changed. */
  reset(): void {
    this.buffer = Buffer.alloc(0);
    this.expectedDataLength = undefined;
  }

  push(chunk: Buffer): Gt521Packet[] {
    const bytes = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const packets: Gt521Packet[] = [];
    let offset = 0;
    for (;;) {
      const start = this.findHeader(bytes, offset);
      if (start < 0) {
        offset = this.couldStartHeader(bytes[bytes.length - 1]) ? bytes.length - 1 : bytes.length;
        break;
      }
      if (start > offset) {
        this.logger.debug({ skipped: start - offset }, 'gt521: skipped bytes before a packet header');
      }
      offset = start;
      const isResponse = bytes[start] === COMMAND_START[0];
      const dataLength = this.expectedDataLength ?? 0;
      const size = isResponse ? COMMAND_PACKET_SIZE : dataLength + DATA_PACKET_OVERHEAD;
      if (bytes.length - start < size) break;
      const frame = bytes.subarray(start, start + size);
      const result: DecodeResult<Gt521Packet> = isResponse
        ? decodeResponse(frame)
        : decodeDataPacket(frame, dataLength);
      if (result.ok) {
        packets.push(result.packet);
        if (result.packet.kind === 'data') this.expectedDataLength = undefined;
        offset = start + size;
      } else if (result.reason === 'device-id') {
        // A well-formed packet for some other device: skip all of it rather than rescan its bytes.
        this.logger.debug({ size }, 'gt521: ignored a packet with another device id');
        offset = start + size;
      } else {
        const kind = isResponse ? 'response' : 'data';
        this.logger.debug({ reason: result.reason, kind }, 'gt521: dropped a damaged packet');
        offset = start + 1;
      }
    }
    // Copy the remainder so a large chunk is not kept alive by a few trailing bytes.
    this.buffer = Buffer.from(bytes.subarray(offset));
    return packets;
  }

  private findHeader(bytes: Buffer, from: number): number {
    for (let index = from; index < bytes.length - 1; index += 1) {
      const first = bytes[index];
      const second = bytes[index + 1];
      if (first === COMMAND_START[0] && second === COMMAND_START[1]) return index;
      const dataHeader = first === DATA_START[0] && second === DATA_START[1];
      if (dataHeader && this.expectedDataLength !== undefined) return index;
    }
    return -1;
  }

  private couldStartHeader(last: number | undefined): boolean {
    return last === COMMAND_START[0] || (this.expectedDataLength !== undefined && last === DATA_START[0]);
  }
}
