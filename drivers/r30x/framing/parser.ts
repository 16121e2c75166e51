/**
 * Turns bytes arriving in any chunking into checked packets. It never throws: whatever the line
 * carries (noise, a stray 0x55 or 0x00 at power-on, fake headers) is skipped by scanning for the
 * next EF 01.
 *
 * Any candidate that fails a check is abandoned by dropping only its first byte, never its
 * claimed length: a bogus header followed by a real frame inside that span still yields the real
 * frame. Header fields are checked as soon as they arrive (address, packet id, length), and a
 * start that a complete frame overtakes is dropped, so a false start never holds a reply back.
 */
import type { DriverLogger } from '../../common/logger.js';
import {
  decodePacket,
  HEADER,
  HEADER_LENGTH,
  hex32,
  hex8,
  isPlausibleLengthField,
  lengthFieldOf,
  MAX_FRAME_LENGTH,
  type PacketId,
  type R30xPacket,
} from './packet.js';

export interface R30xParserOptions {
  /** The module's address; frames for any other address are ignored. */
  readonly address: number;
  /** Packet ids this side expects (the host: ack, data, end of data). */
  readonly accept: ReadonlySet<PacketId>;
  readonly onPacket: (packet: R30xPacket) => void;
  readonly logger: DriverLogger;
}

/**
 * At most one incomplete frame is ever kept, so the buffer is bounded by the largest frame by
 * construction; this is the bound tests assert.
 */
export const PARSER_BUFFER_CAP = MAX_FRAME_LENGTH;

export class R30xParser {
  private buffer: Buffer = Buffer.alloc(0);
  private skipped = 0;

  constructor(private readonly options: R30xParserOptions) {}

  get bufferedBytes(): number {
    return this.buffer.length;
  }

  /** Forgets a partial frame, e.g. before a new command whose reply must not be glued to it. */
  reset(): void {
    this.buffer = Buffer.alloc(0);
    this.skipped = 0;
  }

  push(chunk: Uint8Array): void {
    const packets: R30xPacket[] = [];
    let pending = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const start = pending.indexOf(HEADER);
      if (start < 0) {
        // Keep a trailing EF: it may be the first half of a header split across chunks.
        const keep = pending.at(-1) === HEADER[0] ? 1 : 0;
        this.skip(pending.length - keep);
        pending = pending.subarray(pending.length - keep);
        break;
      }
      this.skip(start);
      pending = pending.subarray(start);
      const verdict = this.judgeHeader(pending);
      if (verdict === 'incomplete') break;
      if (verdict !== 'plausible') {
        this.reject(verdict.rejected);
        pending = pending.subarray(1);
        continue;
      }
      const frameLength = HEADER_LENGTH + (lengthFieldOf(pending) ?? 0);
      if (pending.length < frameLength) {
        const overtaking = this.completeFrameAfterStart(pending);
        if (overtaking === undefined) break;
        this.reject('an incomplete frame start was overtaken by a complete frame');
        this.skip(overtaking - 1);
        pending = pending.subarray(overtaking);
        continue;
      }
      const result = decodePacket(pending.subarray(0, frameLength), this.options.address);
      if (!result.ok) {
        this.reject(result.reason);
        pending = pending.subarray(1);
        continue;
      }
      this.flushSkipped();
      pending = pending.subarray(frameLength);
      packets.push(result.packet);
    }
    // Copy, so a large chunk is not kept alive by the few bytes we still need from it.
    this.buffer = Buffer.from(pending);
    for (const packet of packets) this.deliver(packet);
  }

  /** The parser's state is settled before a consumer runs, and a consumer's fault stays its own. */
  private deliver(packet: R30xPacket): void {
    try {
      this.options.onPacket(packet);
    } catch (error) {
      this.options.logger.error({ err: error, pid: packet.pid }, 'r30x packet consumer failed; packet dropped');
    }
  }

  /**
   * Where a complete, valid frame starts after the first byte, if one does. A frame start whose
   * claimed length has not arrived yet while a whole frame has arrived behind it was a false one
   * (a truncated reply, or noise that happened to look like a header); without this, it would
   * hold back the real frame until enough further bytes came.
   */
  private completeFrameAfterStart(bytes: Buffer): number | undefined {
    for (let at = bytes.indexOf(HEADER, 1); at >= 0; at = bytes.indexOf(HEADER, at + 1)) {
      const candidate = bytes.subarray(at);
      if (this.judgeHeader(candidate) !== 'plausible') continue;
      const frameLength = HEADER_LENGTH + (lengthFieldOf(candidate) ?? 0);
      if (candidate.length < frameLength) continue;
      if (decodePacket(candidate.subarray(0, frameLength), this.options.address).ok) return at;
    }
    return undefined;
  }

  /** Checks what has arrived of the header; the reason when it cannot start a frame. */
  private judgeHeader(bytes: Buffer): 'incomplete' | 'plausible' | { rejected: string } {
    const address = this.options.address >>> 0;
    for (let index = 2; index < Math.min(bytes.length, 6); index += 1) {
      if (bytes[index] !== ((address >>> ((5 - index) * 8)) & 0xff)) {
        return {
          rejected:
            bytes.length >= 6 ? `header for address ${hex32(bytes.readUInt32BE(2))}` : 'header for another address',
        };
      }
    }
    if (bytes.length < 7) return 'incomplete';
    const pid = bytes[6] ?? 0;
    if (!this.options.accept.has(pid as PacketId)) return { rejected: `header with packet id 0x${hex8(pid)}` };
    const lengthField = lengthFieldOf(bytes);
    if (lengthField === undefined) return 'incomplete';
    if (!isPlausibleLengthField(lengthField)) return { rejected: `header with impossible length ${lengthField}` };
    return 'plausible';
  }

  private skip(count: number): void {
    this.skipped += count;
  }

  private reject(reason: string): void {
    this.options.logger.debug({ reason }, 'r30x parser dropped a false frame start');
    this.skip(1);
  }

  /** Reports skipped noise once per recovered frame rather than once per byte. */
  private flushSkipped(): void {
    if (this.skipped === 0) return;
    this.options.logger.debug({ bytes: this.skipped }, 'r30x parser skipped bytes before a frame');
    this.skipped = 0;
  }
}
