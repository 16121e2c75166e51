/**
 * Gathers the payloads of the data packets that follow an UpChar ack. The template size differs
 * by model (512, 768, 1536 bytes), so it is whatever arrives up to the end-of-data packet, within
 * a cap so that a misbehaving module cannot grow it without bound. Only packets after this
 * transfer's own ack count: stragglers of an abandoned attempt must not be glued into it.
 */
import { DriverError, DriverErrorCode } from '../../common/errors.js';

export class TemplateCollector {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private overflowed = false;
  private acknowledged = false;

  constructor(private readonly maxBytes: number) {}

  get started(): boolean {
    return this.acknowledged;
  }

  /** The module acked the upload command: its data packets follow. */
  start(): void {
    this.acknowledged = true;
  }

  add(payload: Buffer): void {
    if (!this.acknowledged) return;
    if (this.size + payload.length > this.maxBytes) {
      this.overflowed = true;
      return;
    }
    this.chunks.push(payload);
    this.size += payload.length;
  }

  result(command: string): Buffer {
    if (this.overflowed) {
      throw new DriverError(
        DriverErrorCode.UnexpectedReply,
        `${command}: the module sent more than ${this.maxBytes} bytes of template data; it is not a template`,
        { command, maxBytes: this.maxBytes },
      );
    }
    if (this.size === 0) {
      throw new DriverError(DriverErrorCode.UnexpectedReply, `${command}: the module sent an empty template`, {
        command,
      });
    }
    return Buffer.concat(this.chunks, this.size);
  }
}
