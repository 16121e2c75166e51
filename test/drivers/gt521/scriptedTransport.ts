import { EventEmitter } from 'node:events';
import { DriverError, DriverErrorCode } from '../../../drivers/common/errors.js';
import { settle } from '../../../drivers/common/settle.js';
import type { ByteTransport } from '../../../drivers/common/transport.js';

/**
 * A ByteTransport whose far end is a test function: it sees each write and answers with bytes
 * (or nothing). For protocol-layer timing cases (a lost reply, a late one) that a module
 * emulator cannot be told to produce on cue; device behaviour is tested against the emulator.
 */
export class ScriptedTransport extends EventEmitter implements ByteTransport {
  readonly description = 'scripted test transport';
  readonly writes: Buffer[] = [];
  isOpen = false;
  baudRate = 0;

  constructor(private readonly answer: (written: Buffer, index: number) => Buffer | undefined) {
    super();
  }

  open(baudRate: number): Promise<void> {
    this.isOpen = true;
    this.baudRate = baudRate;
    return Promise.resolve();
  }

  setBaudRate(baudRate: number): Promise<void> {
    this.baudRate = baudRate;
    return Promise.resolve();
  }

  write(data: Uint8Array): Promise<void> {
    return settle(() => {
      if (!this.isOpen) throw new DriverError(DriverErrorCode.TransportClosed, 'closed');
      const written = Buffer.from(data);
      this.writes.push(written);
      const reply = this.answer(written, this.writes.length - 1);
      if (reply !== undefined) setImmediate(() => this.emit('data', reply));
    });
  }

  close(): Promise<void> {
    this.isOpen = false;
    return Promise.resolve();
  }

  /** The module sends bytes on its own (a late reply). */
  send(bytes: Buffer): void {
    this.emit('data', bytes);
  }

  unplug(): void {
    this.isOpen = false;
    this.emit('disconnected', new DriverError(DriverErrorCode.Disconnected, 'unplugged'));
  }
}
