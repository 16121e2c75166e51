import { EventEmitter } from 'node:events';
import type { HidDevice } from '../../../drivers/common/hidDevice.js';
import { SerialTransport } from '../../../drivers/serial/serialTransport.js';

/**
 * The device side of a CP2110 HID-to-UART bridge (AN434), behind the HidDevice interface, with its
 * UART wired to a real serial port (a pty whose other end is a module emulator or a PtyPeer).
 * It checks every report the host sends as strictly as the chip would, and decodes them itself
 * (byte offsets straight from AN434) rather than with drivers/cp2110/framing.ts, so a mistake
 * there cannot hide behind the same mistake here.
 */
export class FakeCp2110 extends EventEmitter implements HidDevice {
  uartEnabled = false;
  /** The UART settings as the chip holds them after the last Set UART Config. */
  config = { baudRate: 115200, parity: 0, flowControl: 0, dataBitsCode: 3, stopBits: 0 };
  /** Data bytes per output report the host wrote, in order. */
  readonly dataReportSizes: number[] = [];
  purges = 0;
  /** Faults on the bridge to the serial side; a test asserts there were none. */
  readonly bridgeFaults: Error[] = [];
  private gone = false;
  private pending: Promise<void> = Promise.resolve();

  private constructor(private readonly uart: SerialTransport) {
    super();
    uart.on('data', (chunk: Buffer) => this.fromUart(chunk));
  }

  /** Opens the UART side at the chip's power-on rate; the host's Set UART Config changes it. */
  static async connect(serialPath: string): Promise<FakeCp2110> {
    const uart = new SerialTransport({ path: serialPath });
    const fake = new FakeCp2110(uart);
    await uart.open(fake.config.baudRate);
    return fake;
  }

  sendFeatureReport(report: number[] | Buffer): number {
    this.checkPresent();
    const bytes = Buffer.from(report);
    switch (bytes[0]) {
      case 0x41:
        expectLength(bytes, 2, 'Set UART Enable');
        if (bytes[1]! > 1) throw new Error(`fake CP2110: UART enable must be 0 or 1, got ${bytes[1]}`);
        this.uartEnabled = bytes[1] === 1;
        return bytes.length;
      case 0x43:
        expectLength(bytes, 2, 'Purge FIFOs');
        if (bytes[1]! < 1 || bytes[1]! > 3) throw new Error(`fake CP2110: purge type must be 1…3, got ${bytes[1]}`);
        this.purges += 1;
        return bytes.length;
      case 0x50:
        expectLength(bytes, 9, 'Set UART Config');
        this.setConfig(bytes);
        return bytes.length;
      default:
        throw new Error(`fake CP2110: no feature report 0x${bytes[0]?.toString(16)} to set`);
    }
  }

  getFeatureReport(reportId: number, length: number): Buffer {
    this.checkPresent();
    if (reportId === 0x41 && length >= 2) return Buffer.from([0x41, this.uartEnabled ? 1 : 0]);
    if (reportId === 0x50 && length >= 9) {
      const report = Buffer.alloc(9);
      report[0] = 0x50;
      report.writeUInt32BE(this.config.baudRate, 1);
      report[5] = this.config.parity;
      report[6] = this.config.flowControl;
      report[7] = this.config.dataBitsCode;
      report[8] = this.config.stopBits;
      return report;
    }
    throw new Error(`fake CP2110: cannot get feature report 0x${reportId.toString(16)} with length ${length}`);
  }

  write(report: number[] | Buffer): number {
    this.checkPresent();
    const bytes = Buffer.from(report);
    const count = bytes[0] ?? 0;
    if (count < 1 || count > 63) throw new Error(`fake CP2110: 0x${count.toString(16)} is no data report id`);
    if (bytes.length !== count + 1) {
      throw new Error(
        `fake CP2110: report 0x${count.toString(16)} announces ${count} bytes but carries ${bytes.length - 1}`,
      );
    }
    if (!this.uartEnabled) throw new Error('fake CP2110: data written while the UART is disabled');
    this.dataReportSizes.push(count);
    const payload = bytes.subarray(1);
    this.enqueue(() => this.uart.write(payload));
    return bytes.length;
  }

  close(): void {
    this.gone = true;
    this.enqueue(() => this.uart.close());
  }

  /** What node-hid does when the device is pulled: its read fails and it emits 'error'. */
  unplug(): void {
    this.gone = true;
    this.emit('error', new Error('could not read from HID device'));
    this.enqueue(() => this.uart.close());
  }

  /** Lets a test inject a report the host did not ask for (e.g. a non-data report). */
  injectReport(report: Buffer): void {
    this.emit('data', report);
  }

  /** Resolves when everything the host sent so far has reached the UART. */
  async settled(): Promise<void> {
    await this.pending;
  }

  private setConfig(bytes: Buffer): void {
    const baudRate = bytes.readUInt32BE(1);
    const [parity, flowControl, dataBitsCode, stopBits] = [bytes[5]!, bytes[6]!, bytes[7]!, bytes[8]!];
    if (baudRate < 300 || baudRate > 1_000_000) throw new Error(`fake CP2110: baud ${baudRate} out of range`);
    if (parity > 4 || flowControl > 1 || dataBitsCode > 3 || stopBits > 1) {
      throw new Error(`fake CP2110: invalid UART config ${bytes.toString('hex')}`);
    }
    this.config = { baudRate, parity, flowControl, dataBitsCode, stopBits };
    this.enqueue(() => this.uart.setBaudRate(baudRate));
  }

  private fromUart(chunk: Buffer): void {
    // A chip with its UART disabled receives nothing.
    if (!this.uartEnabled || this.gone) return;
    for (let offset = 0; offset < chunk.length; offset += 63) {
      const part = chunk.subarray(offset, offset + 63);
      this.emit('data', Buffer.concat([Buffer.from([part.length]), part]));
    }
  }

  private enqueue(operation: () => Promise<void>): void {
    this.pending = this.pending.then(operation).catch((error: unknown) => {
      this.bridgeFaults.push(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private checkPresent(): void {
    if (this.gone) throw new Error('fake CP2110: device is gone');
  }
}

function expectLength(report: Buffer, length: number, name: string): void {
  if (report.length !== length) {
    throw new Error(`fake CP2110: ${name} is ${length} bytes, got ${report.length}`);
  }
}
