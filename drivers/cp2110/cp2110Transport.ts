import { EventEmitter } from 'node:events';
import { DriverError, DriverErrorCode, messageOf } from '../common/errors.js';
import {
  describeHidSelector,
  openHidraw,
  releaseHidDevice,
  type HidDevice,
  type HidDeviceFactory,
  type HidSelector,
} from '../common/hidDevice.js';
import { silentLogger, type DriverLogger } from '../common/logger.js';
import { settle } from '../common/settle.js';
import type { ByteTransport } from '../common/transport.js';
import {
  checkBaudRate,
  decodeDataReport,
  decodeUartConfig,
  decodeUartEnable,
  encodeDataReports,
  encodePurgeBothFifos,
  encodeUartConfig,
  encodeUartEnable,
  ReportId,
  uart8N1,
  UART_CONFIG_REPORT_LENGTH,
  UART_ENABLE_REPORT_LENGTH,
} from './framing.js';

export const CP2110_VENDOR_ID = 0x10c4;
export const CP2110_PRODUCT_ID = 0xea80;
export const CP2114_PRODUCT_ID = 0xeab0;

export interface Cp2110TransportOptions {
  /** For logs and errors: the hidraw path or VID:PID the factory opens. */
  readonly device: HidSelector;
  /** Defaults to opening `device` through hidraw with node-hid. */
  readonly openDevice?: HidDeviceFactory;
  readonly logger?: DriverLogger;
}

/**
 * A module's UART behind a CP2110/CP2114 HID-to-UART bridge (AN434), as a ByteTransport: the R30x
 * and GT-521F drivers run over it unchanged.
 */
export class Cp2110Transport extends EventEmitter implements ByteTransport {
  readonly description: string;
  private readonly openDevice: HidDeviceFactory;
  private readonly logger: DriverLogger;
  private device: HidDevice | undefined;

  constructor(options: Cp2110TransportOptions) {
    super();
    this.description = `cp2110 ${describeHidSelector(options.device)}`;
    this.openDevice = options.openDevice ?? (() => openHidraw(options.device));
    this.logger = options.logger ?? silentLogger;
  }

  get isOpen(): boolean {
    return this.device !== undefined;
  }

  open(baudRate: number): Promise<void> {
    return settle(() => this.openUart(baudRate));
  }

  /** Like a serial port's speed change, this drops whatever sits in the bridge's FIFOs. */
  setBaudRate(baudRate: number): Promise<void> {
    return settle(() => this.changeSpeed(baudRate));
  }

  write(data: Uint8Array): Promise<void> {
    return settle(() => this.writeReports(data));
  }

  close(): Promise<void> {
    const device = this.device;
    this.device = undefined;
    if (device !== undefined) releaseHidDevice(device);
    return Promise.resolve();
  }

  private openUart(baudRate: number): void {
    if (this.device !== undefined) {
      throw new DriverError(DriverErrorCode.TransportOpen, `${this.description} is already open`);
    }
    this.checkBaud(baudRate);
    const device = this.openDevice();
    try {
      device.sendFeatureReport(encodeUartEnable(true));
      this.configure(device, baudRate);
      this.verify(device, baudRate);
    } catch (error) {
      releaseHidDevice(device);
      throw error instanceof DriverError
        ? error
        : new DriverError(
            DriverErrorCode.TransportOpen,
            `setting up the UART of ${this.description} failed: ${messageOf(error)}`,
            { baudRate },
            { cause: error },
          );
    }
    this.device = device;
    device.on('data', (report) => this.receive(report));
    device.on('error', (error) => this.lost(device, error));
    this.logger.debug({ device: this.description, baudRate }, 'cp2110 UART open');
  }

  private changeSpeed(baudRate: number): void {
    const device = this.requireOpen();
    this.checkBaud(baudRate);
    try {
      this.configure(device, baudRate);
    } catch (error) {
      this.lost(device, asError(error));
      throw new DriverError(
        DriverErrorCode.TransportOpen,
        `cannot set ${this.description} to ${baudRate} baud: ${messageOf(error)}`,
        { baudRate },
        { cause: error },
      );
    }
  }

  private writeReports(data: Uint8Array): void {
    const device = this.requireOpen();
    for (const report of encodeDataReports(data)) {
      const written = this.writeReport(device, report, data.length);
      // The report's first byte is its length: a cut report would put the wrong bytes on the UART.
      if (written !== report.length) {
        throw new DriverError(
          DriverErrorCode.TransportWrite,
          `writing ${data.length} bytes to ${this.description} failed: the device took ${written} of a ${report.length}-byte report`,
          { bytes: data.length, reportBytes: report.length, written },
        );
      }
    }
  }

  private writeReport(device: HidDevice, report: Buffer, totalBytes: number): number {
    try {
      return device.write(report);
    } catch (error) {
      // hidraw refuses writes only when the device is gone or broken; either way it is lost.
      this.lost(device, asError(error));
      throw new DriverError(
        DriverErrorCode.TransportWrite,
        `writing ${totalBytes} bytes to ${this.description} failed: ${messageOf(error)}`,
        { bytes: totalBytes },
        { cause: error },
      );
    }
  }

  private configure(device: HidDevice, baudRate: number): void {
    device.sendFeatureReport(encodeUartConfig(uart8N1(baudRate)));
    device.sendFeatureReport(encodePurgeBothFifos());
  }

  /** Reads the settings back: a device that is no CP2110 (a wrong VID/PID or path) shows here. */
  private verify(device: HidDevice, baudRate: number): void {
    const enabled = decodeUartEnable(
      Buffer.from(device.getFeatureReport(ReportId.UartEnable, UART_ENABLE_REPORT_LENGTH)),
    );
    const config = decodeUartConfig(
      Buffer.from(device.getFeatureReport(ReportId.UartConfig, UART_CONFIG_REPORT_LENGTH)),
    );
    // The chip may answer with the rate it really generates from 24 MHz; within ±2 % a UART
    // link still works, so that counts as taken.
    const matches =
      config !== undefined &&
      config.parity === 'none' &&
      config.flowControl === 'none' &&
      config.dataBits === 8 &&
      config.stopBits === 'short' &&
      Math.abs(config.baudRate - baudRate) <= baudRate * 0.02;
    if (enabled !== true || !matches) {
      throw new DriverError(
        DriverErrorCode.TransportOpen,
        `${this.description} did not take the UART settings (8N1 at ${baudRate} baud): is it really a CP2110/CP2114? Check the configured VID/PID or hidraw path`,
        { enabled, config, baudRate },
      );
    }
  }

  private receive(report: Buffer): void {
    const data = decodeDataReport(report);
    if (data === undefined) {
      this.logger.debug(
        { device: this.description, reportId: report[0], length: report.length },
        'ignoring non-data report',
      );
      return;
    }
    this.emit('data', data);
  }

  private lost(device: HidDevice, error: Error): void {
    if (this.device !== device) return;
    this.device = undefined;
    releaseHidDevice(device);
    this.logger.warn({ device: this.description, err: error }, 'cp2110 disconnected');
    this.emit(
      'disconnected',
      new DriverError(
        DriverErrorCode.Disconnected,
        `${this.description} disconnected: ${error.message}`,
        {},
        {
          cause: error,
        },
      ),
    );
  }

  private checkBaud(baudRate: number): void {
    const problem = checkBaudRate(baudRate);
    if (problem !== undefined) {
      throw new DriverError(DriverErrorCode.TransportOpen, `${this.description}: ${problem}`, { baudRate });
    }
  }

  private requireOpen(): HidDevice {
    if (this.device === undefined) {
      throw new DriverError(DriverErrorCode.TransportClosed, `${this.description} is not open`);
    }
    return this.device;
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
