import { EventEmitter } from 'node:events';
import { DriverError, DriverErrorCode } from '../../../drivers/common/errors.js';
import { settle } from '../../../drivers/common/settle.js';
import type { ByteTransport } from '../../../drivers/common/transport.js';
import { DEFAULT_ADDRESS, encodePacket, PacketId } from '../../../drivers/r30x/framing/packet.js';

/**
 * A ByteTransport whose far end is the test: it sees each written frame and sends back whatever
 * bytes it likes, when it likes. For protocol timing cases (stale packets, a late reply) that the
 * emulator cannot be told to produce on cue; device behaviour is tested against the emulator.
 */
export class ScriptedModule extends EventEmitter implements ByteTransport {
  readonly description = 'scripted R30x module';
  readonly writes: Buffer[] = [];
  isOpen = false;

  constructor(private readonly answer: (written: Buffer, index: number) => void) {
    super();
  }

  open(): Promise<void> {
    this.isOpen = true;
    return Promise.resolve();
  }

  setBaudRate(): Promise<void> {
    return Promise.resolve();
  }

  write(data: Uint8Array): Promise<void> {
    return settle(() => {
      if (!this.isOpen) throw new DriverError(DriverErrorCode.TransportClosed, 'scripted module closed');
      this.writes.push(Buffer.from(data));
      this.answer(Buffer.from(data), this.writes.length - 1);
    });
  }

  close(): Promise<void> {
    this.isOpen = false;
    return Promise.resolve();
  }

  /** Bytes from the module, delivered after the current call stack as a UART read would be. */
  send(...frames: Buffer[]): void {
    const bytes = Buffer.concat(frames);
    setImmediate(() => this.emit('data', bytes));
  }

  unplug(): void {
    this.isOpen = false;
    this.emit('disconnected', new DriverError(DriverErrorCode.Disconnected, 'scripted unplug'));
  }
}

export const ack = (payload: string): Buffer =>
  encodePacket({
    address: DEFAULT_ADDRESS,
    pid: PacketId.Ack,
    payload: Buffer.from(payload.replace(/\s+/g, ''), 'hex'),
  });

export const data = (payload: Buffer, last: boolean): Buffer =>
  encodePacket({ address: DEFAULT_ADDRESS, pid: last ? PacketId.EndData : PacketId.Data, payload });

/** The instruction code of a written command frame. */
export const instructionOf = (frame: Buffer): number | undefined => frame[9];
