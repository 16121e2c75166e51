import type { FfmpegProgress } from '../types.js';

/** A line longer than this is no progress line: it is dropped rather than buffered without end. */
const MAX_LINE = 1_024;

/**
 * Reads what `-progress pipe:1` writes: blocks of `key=value` lines, each ended by a
 * `progress=continue` (or `progress=end`) line. Fed chunks as they come (a line or a block may
 * be split anywhere), it returns the blocks completed so far; it never throws, and an unknown key
 * or a value ffmpeg writes as N/A is simply left out.
 */
export class ProgressParser {
  private partial = '';
  private fields = new Map<string, string>();

  push(chunk: string): FfmpegProgress[] {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop()!;
    if (this.partial.length > MAX_LINE) this.partial = '';
    const blocks: FfmpegProgress[] = [];
    for (const line of lines) {
      const equals = line.indexOf('=');
      if (equals <= 0) continue;
      const key = line.slice(0, equals).trim();
      const value = line.slice(equals + 1).trim();
      if (key !== 'progress') {
        this.fields.set(key, value);
        continue;
      }
      blocks.push(this.block(value === 'end' ? 'end' : 'continue'));
      this.fields = new Map();
    }
    return blocks;
  }

  private block(progress: FfmpegProgress['progress']): FfmpegProgress {
    return {
      frame: this.number('frame') ?? 0,
      fps: this.number('fps'),
      bitrateKbps: this.number('bitrate'),
      totalSize: this.number('total_size'),
      outTimeUs: this.number('out_time_us'),
      progress,
    };
  }

  /** The leading number of a value (`50.8kbits/s` → 50.8); null for N/A and the like. */
  private number(key: string): number | null {
    const value = Number.parseFloat(this.fields.get(key) ?? '');
    return Number.isFinite(value) ? value : null;
  }
}
