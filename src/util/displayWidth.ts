const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

/** Terminal columns a string takes: CJK characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += WIDE.test(char) ? 2 : 1;
  return width;
}

/** `text` padded with spaces to `width` columns (never cut). */
export function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` cut to at most `width` columns, so a line never wraps on a narrow terminal. */
export function cutToWidth(text: string, width: number): string {
  let used = 0;
  let out = '';
  for (const char of text) {
    const next = WIDE.test(char) ? 2 : 1;
    if (used + next > width) break;
    used += next;
    out += char;
  }
  return out;
}
