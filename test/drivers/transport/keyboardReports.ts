import { EventEmitter } from 'node:events';
import type { HidDevice } from '../../../drivers/common/hidDevice.js';

/** Builders for boot keyboard reports: [modifiers, reserved, six usage codes]. */
export function keys(...usages: number[]): Buffer {
  const report = Buffer.alloc(8);
  usages.forEach((usage, index) => (report[2 + index] = usage));
  return report;
}

export const released = keys();

const DIGIT_USAGE: Record<string, number> = {
  '1': 0x1e,
  '2': 0x1f,
  '3': 0x20,
  '4': 0x21,
  '5': 0x22,
  '6': 0x23,
  '7': 0x24,
  '8': 0x25,
  '9': 0x26,
  '0': 0x27,
};

/** The reports a reader sends to type `text` ('\n' = Enter): press, release, for each key. */
export function typed(text: string): Buffer[] {
  return [...text].flatMap((char) => [keys(char === '\n' ? 0x28 : DIGIT_USAGE[char]!), released]);
}

/**
 * A keyboard-wedge reader as node-hid presents it over hidraw: input reports as 'data', a pull as
 * 'error'. It takes no output or feature reports, as a real one would refuse them.
 */
export class FakeKeyboard extends EventEmitter implements HidDevice {
  closed = false;
  write(): number {
    throw new Error('a keyboard reader takes no output reports');
  }
  sendFeatureReport(): number {
    throw new Error('a keyboard reader takes no feature reports');
  }
  getFeatureReport(): number[] {
    throw new Error('a keyboard reader has no feature reports');
  }
  close(): void {
    this.closed = true;
  }
  /** The reader types `text` (digits, '\n' = Enter). */
  type(text: string): void {
    this.send(typed(text));
  }
  /** Raw input reports, e.g. with a report id in front. */
  send(reports: Buffer[]): void {
    for (const report of reports) this.emit('data', report);
  }
}
