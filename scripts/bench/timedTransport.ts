import { EventEmitter } from 'node:events';
import type { ByteTransport } from '../../drivers/common/transport.js';

/** R30x command packets carry their instruction code at byte 9 (EF01, address, PID, length). */
const INSTRUCTION_OFFSET = 9;

export interface TimedWrite {
  at: number;
  instruction: number | undefined;
}

/**
 * A transport that timestamps (performance.now(), the hrtime clock) every chunk read off the port
 * and every packet written to it, for the sign-in benchmark: the agent's share of a sign-in starts
 * at the last byte of the module's Search ack.
 */
export class TimedTransport extends EventEmitter implements ByteTransport {
  readonly reads: number[] = [];
  readonly writes: TimedWrite[] = [];

  constructor(private readonly inner: ByteTransport) {
    super();
    inner.on('data', (chunk) => {
      this.reads.push(performance.now());
      this.emit('data', chunk);
    });
    inner.on('disconnected', (error) => this.emit('disconnected', error));
  }

  get description(): string {
    return this.inner.description;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  open(baudRate: number): Promise<void> {
    return this.inner.open(baudRate);
  }

  setBaudRate(baudRate: number): Promise<void> {
    return this.inner.setBaudRate(baudRate);
  }

  write(data: Uint8Array): Promise<void> {
    this.writes.push({ at: performance.now(), instruction: data[INSTRUCTION_OFFSET] });
    return this.inner.write(data);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The newest timestamp in `times` at or before `at`. */
  static lastBefore(times: readonly number[], at: number): number | undefined {
    for (let index = times.length - 1; index >= 0; index -= 1) if (times[index]! <= at) return times[index];
    return undefined;
  }
}
