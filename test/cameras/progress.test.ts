import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProgressParser } from '../../src/cameras/ffmpeg/progress.js';
import type { FfmpegProgress } from '../../src/cameras/types.js';

/** `-progress pipe:1` of a real ffmpeg 5.1 run: libx264 from testsrc into FLV, 1.2 s at 25 fps. */
const captured = readFileSync(new URL('fixtures/progress-libx264-flv.txt', import.meta.url), 'utf8');

function parseInChunks(text: string, size: number): FfmpegProgress[] {
  const parser = new ProgressParser();
  const blocks: FfmpegProgress[] = [];
  for (let at = 0; at < text.length; at += size) blocks.push(...parser.push(text.slice(at, at + size)));
  return blocks;
}

describe('the -progress parser', () => {
  it('reads every block of a real run, frames rising, the last one ending it', () => {
    const blocks = parseInChunks(captured, captured.length);
    expect(blocks.map((block) => block.frame)).toEqual([1, 13, 26, 30]);
    expect(blocks.map((block) => block.progress)).toEqual(['continue', 'continue', 'continue', 'end']);
    expect(blocks[3]).toEqual({
      frame: 30,
      fps: 24.74,
      bitrateKbps: 50.8,
      totalSize: 6864,
      outTimeUs: 1081000,
      progress: 'end',
    });
  });

  it('leaves out what ffmpeg writes as N/A', () => {
    const [first] = parseInChunks(captured, captured.length);
    expect(first).toMatchObject({ frame: 1, fps: 0, bitrateKbps: null, totalSize: 279, outTimeUs: 0 });
  });

  it('gives the same blocks whatever the chunks are split at', () => {
    const whole = parseInChunks(captured, captured.length);
    for (const size of [1, 2, 7, 64]) expect(parseInChunks(captured, size)).toEqual(whole);
  });

  it('skips garbage and an overlong line without throwing, and reads on', () => {
    const parser = new ProgressParser();
    expect(parser.push('no equals sign\n=novalue\n' + 'x'.repeat(5_000))).toEqual([]);
    expect(parser.push('\nframe=7\nprogress=continue\n')).toEqual([
      { frame: 7, fps: null, bitrateKbps: null, totalSize: null, outTimeUs: null, progress: 'continue' },
    ]);
  });
});
