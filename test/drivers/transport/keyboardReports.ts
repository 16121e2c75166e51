/** Builders for boot keyboard reports: [modifiers, reserved, six usage codes]. */
export function keys(...usages: number[]): Buffer {
  const report = Buffer.alloc(8);
  usages.forEach((usage, index) => (report[2 + index] = usage));
  return report;
}

export const released = keys();

const DIGIT_USAGE: Record<string, number> = {
  '1': 0x1e, '2': 0x1f, '3': 0x20, '4': 0x21, '5': 0x22,
  '6': 0x23, '7': 0x24, '8': 0x25, '9': 0x26, '0': 0x27,
};

/** The reports a reader sends to type `text` ('\n' = Enter): press, release, for each key. */
export function typed(text: string): Buffer[] {
  return [...text].flatMap((char) => [keys(char === '\n' ? 0x28 : DIGIT_USAGE[char]!), released]);
}
