import { describe, expect, it } from 'vitest';
import {
  decodeDataReport,
  decodeUartConfig,
  decodeUartEnable,
  encodeDataReports,
  encodePurgeBothFifos,
  encodeUartConfig,
  encodeUartEnable,
  uart8N1,
} from '../../../drivers/cp2110/framing.js';

const hex = (buffer: Buffer) => buffer.toString('hex');

describe('CP2110 data reports (AN434: report id = number of data bytes, ≤ 63)', () => {
  it('wraps a short write in one report whose id is its length', () => {
    const reports = encodeDataReports(Buffer.from('ef01ffffffff010003010005', 'hex'));
    expect(reports.map(hex)).toEqual(['0cef01ffffffff010003010005']);
  });

  it('splits 63 / 64 / 200 bytes at 63', () => {
    expect(encodeDataReports(Buffer.alloc(63, 0xaa)).map((r) => r.length)).toEqual([64]);
    expect(encodeDataReports(Buffer.alloc(64, 0xaa)).map((r) => [r[0], r.length])).toEqual([
      [63, 64],
      [1, 2],
    ]);
    const block = Buffer.from(Array.from({ length: 200 }, (_, i) => i));
    const reports = encodeDataReports(block);
    expect(reports.map((r) => r[0])).toEqual([63, 63, 63, 11]);
    expect(Buffer.concat(reports.map((r) => r.subarray(1)))).toEqual(block);
  });

  it('encodes nothing for an empty write', () => {
    expect(encodeDataReports(Buffer.alloc(0))).toEqual([]);
  });

  it('unwraps incoming reports and ignores padding after the announced bytes', () => {
    expect(hex(decodeDataReport(Buffer.from('0355aabb', 'hex'))!)).toBe('55aabb');
    expect(hex(decodeDataReport(Buffer.from('0255aa000000', 'hex'))!)).toBe('55aa');
    expect(hex(decodeDataReport(Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 7)]))!)).toBe('07'.repeat(63));
  });

  it('rejects reports that are not data or are shorter than announced', () => {
    expect(decodeDataReport(Buffer.from([]))).toBeUndefined();
    expect(decodeDataReport(Buffer.from([0x00, 1]))).toBeUndefined();
    expect(decodeDataReport(Buffer.from([0x41, 1]))).toBeUndefined();
    expect(decodeDataReport(Buffer.from([0x40]))).toBeUndefined();
    expect(decodeDataReport(Buffer.from([0x05, 1, 2, 3]))).toBeUndefined();
  });
});

describe('CP2110 feature reports', () => {
  it('Set UART Enable is 0x41 then 1 or 0', () => {
    expect(hex(encodeUartEnable(true))).toBe('4101');
    expect(hex(encodeUartEnable(false))).toBe('4100');
    expect(decodeUartEnable(Buffer.from('4101', 'hex'))).toBe(true);
    expect(decodeUartEnable(Buffer.from('4100', 'hex'))).toBe(false);
    expect(decodeUartEnable(Buffer.from('4102', 'hex'))).toBeUndefined();
    expect(decodeUartEnable(Buffer.from('5001', 'hex'))).toBeUndefined();
  });

  it('Purge FIFOs for both directions is 0x43 0x03', () => {
    expect(hex(encodePurgeBothFifos())).toBe('4303');
  });

  it('UART Config 8N1 is 0x50, baud big-endian, parity, flow, data bits code, stop bits', () => {
    // 57600 = 0x0000E100; 8 data bits is code 0x03 (not 0x08, see framing.ts).
    expect(hex(encodeUartConfig(uart8N1(57600)))).toBe('500000e10000000300');
    expect(hex(encodeUartConfig(uart8N1(9600)))).toBe('50000025800000' + '0300');
    expect(hex(encodeUartConfig(uart8N1(28800)))).toBe('5000007080000003' + '00');
    expect(hex(encodeUartConfig(uart8N1(1_000_000)))).toBe('50000f42400000' + '0300');
  });

  it('encodes every field value at its offset', () => {
    const report = encodeUartConfig({
      baudRate: 0x0001c200,
      parity: 'space',
      flowControl: 'hardware',
      dataBits: 5,
      stopBits: 'long',
    });
    expect(hex(report)).toBe('500001c200' + '04' + '01' + '00' + '01');
  });

  it('decodes what it encodes, and refuses unknown codes or the wrong report', () => {
    for (const config of [
      uart8N1(57600),
      { baudRate: 300, parity: 'odd', flowControl: 'none', dataBits: 7, stopBits: 'long' } as const,
      { baudRate: 115200, parity: 'even', flowControl: 'hardware', dataBits: 6, stopBits: 'short' } as const,
    ]) {
      expect(decodeUartConfig(encodeUartConfig(config))).toEqual(config);
    }
    expect(decodeUartConfig(Buffer.from('500000e10005000300', 'hex'))).toBeUndefined(); // parity 5
    expect(decodeUartConfig(Buffer.from('500000e10000020300', 'hex'))).toBeUndefined(); // flow 2
    expect(decodeUartConfig(Buffer.from('500000e10000000800', 'hex'))).toBeUndefined(); // Rev 0.4's "8"
    expect(decodeUartConfig(Buffer.from('500000e10000000302', 'hex'))).toBeUndefined(); // stop 2
    expect(decodeUartConfig(Buffer.from('410000e10000000300', 'hex'))).toBeUndefined();
    expect(decodeUartConfig(Buffer.from('500000e1000000', 'hex'))).toBeUndefined();
  });

  it('refuses baud rates the chip cannot run', () => {
    expect(() => encodeUartConfig(uart8N1(299))).toThrow(/300…1000000/);
    expect(() => encodeUartConfig(uart8N1(1_000_001))).toThrow(RangeError);
    expect(() => encodeUartConfig(uart8N1(57600.5))).toThrow(RangeError);
  });
});
