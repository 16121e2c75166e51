import { EventEmitter } from 'node:events';
import { DriverError, DriverErrorCode } from '../common/errors.js';
import {
  describeHidSelector,
  openHidraw,
  releaseHidDevice,
  type HidDevice,
  type HidDeviceFactory,
  type HidSelector,
} from '../common/hidDevice.js';
import { silentLogger, type DriverLogger } from '../common/logger.js';
import { MemberNumberDecoder, type DecoderEvent } from './memberNumberDecoder.js';

export interface KeyboardReaderOptions {
  readonly device: HidSelector;
  readonly openDevice?: HidDeviceFactory;
  readonly logger?: DriverLogger;
  /** Default 16. */
  readonly maxDigits?: number;
  /** Default 1000 ms. */
  readonly idleResetMs?: number;
  /**
   * Set when the reader's keyboard reports carry a report id (composite devices whose descriptor
   * numbers its reports): only reports with this id are keys, and the id byte is stripped.
   */
  readonly reportId?: number;
  /** Monotonic milliseconds; injectable for tests. */
  readonly now?: () => number;
}

export interface KeyboardReaderEvents {
  number: [memberNumber: string];
  disconnected: [error: Error];
}

/**
 * A keyboard-wedge reader (it matches a fingerprint or card on board and types a member number),
 * read from hidraw. The udev rule systemd/70-room-agent-keyboard-reader.rules inhibits its input
 * device so the digits reach only us, never a console.
 */
export class KeyboardReader extends EventEmitter<KeyboardReaderEvents> {
  readonly description: string;
  private readonly openDevice: HidDeviceFactory;
  private readonly logger: DriverLogger;
  private readonly options: KeyboardReaderOptions;
  private readonly now: () => number;
  private device: HidDevice | undefined;
  private decoder: MemberNumberDecoder | undefined;

  constructor(options: KeyboardReaderOptions) {
    super();
    this.options = options;
    this.description = `keyboard reader ${describeHidSelector(options.device)}`;
    this.openDevice = options.openDevice ?? (() => openHidraw(options.device));
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => performance.now());
  }

  get isOpen(): boolean {
    return this.device !== undefined;
  }

  open(): void {
    if (this.device !== undefined) {
      throw new DriverError(DriverErrorCode.TransportOpen, `${this.description} is already open`);
    }
    const device = this.openDevice();
    this.decoder = new MemberNumberDecoder({
      maxDigits: this.options.maxDigits ?? 16,
      idleResetMs: this.options.idleResetMs ?? 1000,
    });
    this.device = device;
    device.on('data', (report) => this.receive(report));
    device.on('error', (error) => this.lost(device, error));
  }

  close(): void {
    const device = this.device;
    if (device === undefined) return;
    this.device = undefined;
    releaseHidDevice(device);
  }

  private receive(report: Buffer): void {
    const keys = this.stripReportId(report);
    if (keys === undefined || this.decoder === undefined) return;
    for (const event of this.decoder.feed(keys, this.now())) this.handle(event);
  }

  private stripReportId(report: Buffer): Buffer | undefined {
    const { reportId } = this.options;
    if (reportId === undefined) return report;
    return report[0] === reportId ? report.subarray(1) : undefined;
  }

  private handle(event: DecoderEvent): void {
    const context = { reader: this.description };
    switch (event.kind) {
      case 'number':
        this.emit('number', event.memberNumber);
        return;
      case 'tooLong':
        this.logger.warn(
          { ...context, maxDigits: event.maxDigits },
          'reader typed a number longer than allowed; discarded it',
        );
        return;
      case 'abandoned':
        this.logger.warn(
          { ...context, digits: event.digits, idleMs: Math.round(event.idleMs) },
          'reader paused mid-number; discarded the digits so far',
        );
        return;
      case 'malformed':
        this.logger.debug(
          { ...context, length: event.length },
          'ignoring a report that is not an 8-byte boot keyboard report',
        );
        return;
    }
  }

  private lost(device: HidDevice, error: Error): void {
    if (this.device !== device) return;
    this.device = undefined;
    releaseHidDevice(device);
    this.logger.warn({ reader: this.description, err: error }, 'keyboard reader disconnected');
    this.emit(
      'disconnected',
      new DriverError(
        DriverErrorCode.Disconnected,
        `${this.description} disconnected: ${error.message}`,
        {},
        { cause: error },
      ),
    );
  }
}
