/**
 * Silicon Labs CP2110/CP2114 HID-to-UART reports, as pure functions over bytes.
 *
 * Source: Silicon Labs AN434 "CP2110/4 Interface Specification" (Rev 0.4/0.5):
 * - UART data travels in interrupt reports whose report id 0x01–0x3F is the number of data bytes
 *   that follow, so at most 63 bytes per report, both directions.
 * - Feature 0x41 Get/Set UART Enable: [0x41, 0x00 disabled | 0x01 enabled].
 * - Feature 0x43 Set Purge FIFOs: [0x43, 0x01 transmit | 0x02 receive | 0x03 both].
 * - Feature 0x50 Get/Set UART Config, 9 bytes:
 *     [0] 0x50
 *     [1..4] baud rate, 32-bit big-endian
 *     [5] parity        0x00 none, 0x01 odd, 0x02 even, 0x03 mark, 0x04 space
 *     [6] flow control  0x00 none, 0x01 hardware (RTS/CTS)
 *     [7] data bits     0x00 five, 0x01 six, 0x02 seven, 0x03 eight
 *     [8] stop bits     0x00 short (1), 0x01 long (1.5 with five data bits, else 2)
 *   Rev 0.4 lists data bits as 0x05–0x08, but the chip wants 0x00–0x03 (OpenBSD uslhcomreg.h
 *   says so from testing; Google's usbmon-tools cp2110.py decodes it the same way). Open-source
 *   readings disagree on odd/even; we only ever send "none", which all agree is 0x00.
 * - Baud: 300 bps to 1 Mbps (CP2110 datasheet, Table 12); the chip picks the nearest rate it can
 *   generate from 24 MHz.
 */

export const ReportId = {
  UartEnable: 0x41,
  PurgeFifos: 0x43,
  UartConfig: 0x50,
} as const;

export const MAX_DATA_PER_REPORT = 63;
export const UART_CONFIG_REPORT_LENGTH = 9;
export const UART_ENABLE_REPORT_LENGTH = 2;
export const MIN_BAUD = 300;
export const MAX_BAUD = 1_000_000;

const PURGE_BOTH_FIFOS = 0x03;

const PARITY = ['none', 'odd', 'even', 'mark', 'space'] as const;
const FLOW_CONTROL = ['none', 'hardware'] as const;
const STOP_BITS = ['short', 'long'] as const;

export type Parity = (typeof PARITY)[number];
export type FlowControl = (typeof FLOW_CONTROL)[number];
export type StopBits = (typeof STOP_BITS)[number];
export type DataBits = 5 | 6 | 7 | 8;

export interface UartConfig {
  readonly baudRate: number;
  readonly parity: Parity;
  readonly flowControl: FlowControl;
  readonly dataBits: DataBits;
  readonly stopBits: StopBits;
}

/** The only link our modules speak: 8 data bits, no parity, one stop bit, no flow control. */
export function uart8N1(baudRate: number): UartConfig {
  return { baudRate, parity: 'none', flowControl: 'none', dataBits: 8, stopBits: 'short' };
}

/** Splits outgoing UART bytes into data reports: [count, ...bytes], count ≤ 63. */
export function encodeDataReports(data: Uint8Array): Buffer[] {
  const reports: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += MAX_DATA_PER_REPORT) {
    const chunk = data.subarray(offset, offset + MAX_DATA_PER_REPORT);
    reports.push(Buffer.concat([Buffer.from([chunk.length]), chunk]));
  }
  return reports;
}

/**
 * The UART bytes in an incoming data report, or undefined if it is not a well-formed data report
 * (another report id, or fewer bytes than its id announces). Extra trailing bytes are padding.
 */
export function decodeDataReport(report: Uint8Array): Buffer | undefined {
  const count = report[0];
  if (count === undefined || count < 1 || count > MAX_DATA_PER_REPORT) return undefined;
  if (report.length < 1 + count) return undefined;
  return Buffer.from(report.subarray(1, 1 + count));
}

export function encodeUartEnable(enabled: boolean): Buffer {
  return Buffer.from([ReportId.UartEnable, enabled ? 0x01 : 0x00]);
}

export function decodeUartEnable(report: Uint8Array): boolean | undefined {
  if (report.length < UART_ENABLE_REPORT_LENGTH || report[0] !== ReportId.UartEnable) return undefined;
  const value = report[1];
  return value === 0x01 ? true : value === 0x00 ? false : undefined;
}

export function encodePurgeBothFifos(): Buffer {
  return Buffer.from([ReportId.PurgeFifos, PURGE_BOTH_FIFOS]);
}

export function checkBaudRate(baudRate: number): string | undefined {
  if (!Number.isInteger(baudRate) || baudRate < MIN_BAUD || baudRate > MAX_BAUD) {
    return `a CP2110 runs its UART at ${MIN_BAUD}…${MAX_BAUD} baud; ${baudRate} is not possible`;
  }
  return undefined;
}

/** Throws a RangeError for a baud rate the chip cannot run; callers check it first. */
export function encodeUartConfig(config: UartConfig): Buffer {
  const problem = checkBaudRate(config.baudRate);
  if (problem !== undefined) throw new RangeError(problem);
  const report = Buffer.alloc(UART_CONFIG_REPORT_LENGTH);
  report[0] = ReportId.UartConfig;
  report.writeUInt32BE(config.baudRate, 1);
  report[5] = PARITY.indexOf(config.parity);
  report[6] = FLOW_CONTROL.indexOf(config.flowControl);
  report[7] = config.dataBits - 5;
  report[8] = STOP_BITS.indexOf(config.stopBits);
  return report;
}

export function decodeUartConfig(report: Uint8Array): UartConfig | undefined {
  if (report.length < UART_CONFIG_REPORT_LENGTH || report[0] !== ReportId.UartConfig) return undefined;
  const bytes = Buffer.from(report);
  const parity = PARITY[bytes[5]!];
  const flowControl = FLOW_CONTROL[bytes[6]!];
  const dataBitsCode = bytes[7]!;
  const stopBits = STOP_BITS[bytes[8]!];
  if (parity === undefined || flowControl === undefined || stopBits === undefined || dataBitsCode > 3) {
    return undefined;
  }
  return {
    baudRate: bytes.readUInt32BE(1),
    parity,
    flowControl,
    dataBits: (dataBitsCode + 5) as DataBits,
    stopBits,
  };
}
