/** Device wall time as an operator reads it, to the second: `2026-12-07 20:15:03 UTC`. */
export function wallTimeText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
