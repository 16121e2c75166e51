import { describe, expect, it } from 'vitest';
import { DriverErrorCode, isDriverError } from '../../../drivers/common/errors.js';
import type { DriverLogger } from '../../../drivers/common/logger.js';
import { KeyboardReader } from '../../../drivers/hidKeyboard/keyboardReader.js';
import { FakeKeyboard, typed } from './keyboardReports.js';
import { stringContaining } from '../../helpers/matchers.js';

function recordingLogger(): DriverLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => {},
    info: () => {},
    error: () => {},
    warn: (_fields, message) => warnings.push(message ?? ''),
  };
}

function setUp(options: { reportId?: number; maxDigits?: number } = {}) {
  const keyboard = new FakeKeyboard();
  const logger = recordingLogger();
  const reader = new KeyboardReader({
    device: { path: '/dev/member-reader' },
    openDevice: () => keyboard,
    logger,
    ...options,
  });
  const numbers: string[] = [];
  const disconnects: Error[] = [];
  reader.on('number', (memberNumber) => numbers.push(memberNumber));
  reader.on('disconnected', (error) => disconnects.push(error));
  reader.open();
  return { keyboard, reader, logger, numbers, disconnects };
}

describe('KeyboardReader', () => {
  it('emits each member number the reader types', () => {
    const { keyboard, numbers } = setUp();
    keyboard.type('1024\n');
    keyboard.type('77\n');
    expect(numbers).toEqual(['1024', '77']);
  });

  it('discards an over-long number with a warning', () => {
    const { keyboard, numbers, logger } = setUp({ maxDigits: 6 });
    keyboard.type('1234567\n');
    keyboard.type('42\n');
    expect(numbers).toEqual(['42']);
    expect(logger.warnings).toEqual([stringContaining('longer than allowed')]);
  });

  it('strips a configured report id and ignores reports with another id', () => {
    const { keyboard, numbers } = setUp({ reportId: 1 });
    const withId = (report: Buffer) => Buffer.concat([Buffer.from([1]), report]);
    keyboard.send(typed('5\n').map(withId));
    keyboard.send(typed('6\n').map((report) => Buffer.concat([Buffer.from([2]), report])));
    expect(numbers).toEqual(['5']);
  });

  it('reports a pulled reader as exactly one disconnected and lets go of the device', () => {
    const { keyboard, reader, disconnects } = setUp();
    keyboard.emit('error', new Error('could not read from HID device'));
    expect(disconnects).toHaveLength(1);
    expect(isDriverError(disconnects[0], DriverErrorCode.Disconnected)).toBe(true);
    expect(disconnects[0]!.message).toContain('/dev/member-reader');
    expect(keyboard.closed).toBe(true);
    expect(reader.isOpen).toBe(false);
    reader.close();
    expect(disconnects).toHaveLength(1);
  });

  it('close() emits nothing, stops numbers and is idempotent', () => {
    const { keyboard, reader, numbers, disconnects } = setUp();
    reader.close();
    reader.close();
    keyboard.type('9\n');
    expect(numbers).toEqual([]);
    expect(disconnects).toEqual([]);
    expect(keyboard.closed).toBe(true);
  });

  it('refuses to open twice', () => {
    const { reader } = setUp();
    expect(() => reader.open()).toThrow(/already open/);
  });
});
