/**
 * Boot-protocol keyboard input reports (USB HID 1.11, Appendix B.1): 8 bytes — modifier bits,
 * a reserved byte, then up to six usage codes of the keys held down now (0x00 = none). A key
 * press is a usage that appears; a key-up report simply lacks it. Usage codes from the HID
 * Usage Tables, Keyboard/Keypad page (0x07).
 */

export const BOOT_REPORT_LENGTH = 8;
const FIRST_KEY_SLOT = 2;
const ERROR_ROLL_OVER = 0x01;

export const Usage = {
  Digit1: 0x1e, // …0x26 = digit 9
  Digit0: 0x27,
  Enter: 0x28,
  KeypadEnter: 0x58,
  Keypad1: 0x59, // …0x61 = keypad 9
  Keypad0: 0x62,
} as const;

export type KeyReport =
  | { readonly kind: 'keys'; readonly usages: readonly number[] }
  /** Too many keys at once: the keyboard cannot tell which; the state is unknown, not empty. */
  | { readonly kind: 'rollover' };

export function parseBootReport(report: Uint8Array): KeyReport | undefined {
  if (report.length !== BOOT_REPORT_LENGTH) return undefined;
  const slots = Array.from(report.subarray(FIRST_KEY_SLOT));
  if (slots.every((usage) => usage === ERROR_ROLL_OVER)) return { kind: 'rollover' };
  return { kind: 'keys', usages: slots.filter((usage) => usage !== 0) };
}

/**
 * The digit a usage types, from the main row or the keypad (readers use either); undefined for
 * any other key. Modifiers are not consulted: a reader types plain digits, and Num Lock state is
 * the host's, which hidraw readers never see.
 */
export function digitOf(usage: number): string | undefined {
  if (usage >= Usage.Digit1 && usage <= Usage.Digit0) return String((usage - Usage.Digit1 + 1) % 10);
  if (usage >= Usage.Keypad1 && usage <= Usage.Keypad0) return String((usage - Usage.Keypad1 + 1) % 10);
  return undefined;
}

export function isEnter(usage: number): boolean {
  return usage === Usage.Enter || usage === Usage.KeypadEnter;
}
