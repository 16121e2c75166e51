/**
 * Splits a byte stream into newline-terminated lines without ever holding more than maxBytes of an
 * unfinished line: a peer that never sends a newline cannot grow the buffer.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Complete lines in this chunk (UTF-8, newline removed); overflow once a line passes maxBytes. */
  push(chunk: Buffer): { lines: string[]; overflow: boolean } {
    const lines: string[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, newline);
      if (this.pendingBytes + piece.length > this.maxBytes) return { lines, overflow: true };
      lines.push(Buffer.concat([...this.pending, piece]).toString('utf8'));
      this.pending = [];
      this.pendingBytes = 0;
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    this.pendingBytes += rest.length;
    if (this.pendingBytes > this.maxBytes) return { lines, overflow: true };
    if (rest.length > 0) this.pending.push(rest);
    return { lines, overflow: false };
  }
}
