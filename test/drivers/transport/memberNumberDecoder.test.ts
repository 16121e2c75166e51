import { describe, expect, it } from 'vitest';
import { digitOf, parseBootReport } from '../../../drivers/hidKeyboard/bootReport.js';
import { MemberNumberDecoder, type DecoderEvent } from '../../../drivers/hidKeyboard/memberNumberDecoder.js';
import { keys, released, typed } from './keyboardReports.js';

function decode(reports: Buffer[], options = { maxDigits: 16, idleResetMs: 1000 }): DecoderEvent[] {
  const decoder = new MemberNumberDecoder(options);
  return reports.flatMap((report, index) => decoder.feed(report, index));
}

const numbers = (events: DecoderEvent[]) =>
  events.flatMap((event) => (event.kind === 'number' ? [event.memberNumber] : []));

describe('boot keyboard reports', () => {
  it('maps usages 0x1E–0x27 to 1…9,0 and the keypad 0x59–0x62 likewise', () => {
    expect([0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27].map(digitOf).join('')).toBe('1234567890');
    expect([0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62].map(digitOf).join('')).toBe('1234567890');
    expect([0x04, 0x1d, 0x28, 0x2c, 0x58, 0x63].map(digitOf)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads the six key slots after modifiers and the reserved byte', () => {
    expect(parseBootReport(Buffer.from([0x02, 0x00, 0x1e, 0x00, 0x1f, 0, 0, 0]))).toEqual({
      kind: 'keys',
      usages: [0x1e, 0x1f],
    });
    expect(parseBootReport(Buffer.from([0, 0, 1, 1, 1, 1, 1, 1]))).toEqual({ kind: 'rollover' });
    expect(parseBootReport(Buffer.alloc(7))).toBeUndefined();
    expect(parseBootReport(Buffer.alloc(9))).toBeUndefined();
  });
});

describe('MemberNumberDecoder', () => {
  it('decodes digits then Enter, key by key with key-up reports', () => {
    expect(decode(typed('12345\n'))).toEqual([{ kind: 'number', memberNumber: '12345' }]);
    expect(numbers(decode(typed('0907\n8\n')))).toEqual(['0907', '8']);
  });

  it('counts a key held over several reports once, and the same digit again after a release', () => {
    expect(numbers(decode([keys(0x1e), keys(0x1e), keys(0x1e), released, keys(0x28), released]))).toEqual(['1']);
    expect(numbers(decode([keys(0x1e), released, keys(0x1e), released, keys(0x28)]))).toEqual(['11']);
  });

  it('follows rollover: a new key while another is held, in the order the slots list them', () => {
    const reports = [keys(0x1e), keys(0x1e, 0x1f), keys(0x1f), keys(0x1f, 0x20, 0x21), released, keys(0x28)];
    expect(numbers(decode(reports))).toEqual(['1234']);
  });

  it('ignores an ErrorRollOver report without forgetting what was held', () => {
    const phantom = Buffer.from([0, 0, 1, 1, 1, 1, 1, 1]);
    const reports = [keys(0x1e), phantom, keys(0x1e, 0x1f), released, keys(0x28)];
    expect(numbers(decode(reports))).toEqual(['12']);
  });

  it('takes keypad digits and keypad Enter', () => {
    expect(numbers(decode([keys(0x59), released, keys(0x62), released, keys(0x58), released]))).toEqual(['10']);
  });

  it('ignores other keys and modifier bits', () => {
    const shifted = Buffer.from([0x02, 0, 0x1f, 0, 0, 0, 0, 0]);
    const reports = [keys(0x04), released, keys(0x1e), released, shifted, released, keys(0x2c), released, keys(0x28)];
    expect(numbers(decode(reports))).toEqual(['12']);
  });

  it('emits nothing for Enter alone', () => {
    expect(decode(typed('\n\n'))).toEqual([]);
  });

  it('discards a number longer than maxDigits whole, then reads the next one', () => {
    const events = decode(typed('12345\n678\n'), { maxDigits: 4, idleResetMs: 1000 });
    expect(events).toEqual([
      { kind: 'tooLong', maxDigits: 4 },
      { kind: 'number', memberNumber: '678' },
    ]);
    expect(numbers(decode(typed('1234\n'), { maxDigits: 4, idleResetMs: 1000 }))).toEqual(['1234']);
  });

  it('abandons digits left hanging longer than idleResetMs, so they cannot prefix the next number', () => {
    const decoder = new MemberNumberDecoder({ maxDigits: 16, idleResetMs: 1000 });
    const feed = (reports: Buffer[], at: number) => reports.flatMap((report) => decoder.feed(report, at));
    expect(feed(typed('12'), 0)).toEqual([]);
    expect(feed(typed('3'), 1000)).toEqual([]); // exactly the limit still belongs to the number
    expect(feed(typed('45\n'), 2500)).toEqual([
      { kind: 'abandoned', digits: 3, idleMs: 1500 },
      { kind: 'number', memberNumber: '45' },
    ]);
  });

  it('reports a report of the wrong length as malformed and carries on', () => {
    const events = decode([Buffer.alloc(3), ...typed('7\n')]);
    expect(events).toEqual([
      { kind: 'malformed', length: 3 },
      { kind: 'number', memberNumber: '7' },
    ]);
  });
});
