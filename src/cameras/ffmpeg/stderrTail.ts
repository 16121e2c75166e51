import { maskCameraText } from '../mask.js';

/** How many of ffmpeg's last stderr lines are kept, unless the caller says. */
export const STDERR_LINES = 100;

/** A kept line longer than this is cut (after masking): one runaway line must not hold the memory a hundred would. */
const MAX_LINE = 2_000;

/** What of a line without its newline is buffered; beyond it the line's rest is dropped. */
const MAX_PARTIAL = 8 * MAX_LINE;

/**
 * The last lines ffmpeg wrote on stderr, each masked before it is kept (ffmpeg prints its input
 * and output URLs, with the camera's password). Fed chunks as they come; `\r` ends a line too,
 * as ffmpeg's own status line uses it.
 */
export class StderrTail {
  private readonly kept: string[] = [];
  private partial = '';

  constructor(
    private readonly secrets: readonly string[] = [],
    private readonly limit = STDERR_LINES,
  ) {}

  push(chunk: string): void {
    const lines = (this.partial + chunk).split(/\r\n|\r|\n/);
    this.partial = lines.pop()!.slice(0, MAX_PARTIAL);
    for (const line of lines) this.keep(line);
  }

  /** Keeps a last line that no newline ended (the process has exited). */
  flush(): void {
    if (this.partial !== '') this.keep(this.partial);
    this.partial = '';
  }

  lines(): string[] {
    return [...this.kept];
  }

  private keep(line: string): void {
    if (line.trim() === '') return;
    this.kept.push(maskCameraText(line, this.secrets).slice(0, MAX_LINE));
    if (this.kept.length > this.limit) this.kept.shift();
  }
}
