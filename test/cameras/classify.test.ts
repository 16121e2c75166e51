import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyErrorLines, errorFromLines } from '../../src/cameras/ffmpeg/classify.js';
import { ErrorCode } from '../../src/errors.js';
import { maskCameraText } from '../../src/cameras/mask.js';
import type { CameraProblem } from '../../src/cameras/types.js';

interface Vector {
  case: string;
  lines: string[];
  problem: CameraProblem;
}

/** stderr of real ffmpeg 5.1 and ffprobe 5.1 runs against loopback cameras and media servers. */
const { vectors } = JSON.parse(readFileSync(new URL('fixtures/ffmpeg-errors.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};

describe("classifying ffmpeg's error lines", () => {
  it.each(vectors.map((vector) => [vector.case, vector] as const))('%s', (_name, vector) => {
    expect(classifyErrorLines(vector.lines)?.problem).toBe(vector.problem);
    // The runner classifies what it kept: the masked lines.
    const masked = vector.lines.map((line) => maskCameraText(line));
    expect(classifyErrorLines(masked)?.problem).toBe(vector.problem);
  });

  it('returns the line it read the problem from, the last one that names a cause', () => {
    const vector = vectors.find((each) => each.problem === 'server-refused' && each.lines.length === 2)!;
    expect(classifyErrorLines(vector.lines)?.line).toBe(vector.lines[1]);
  });

  it('names no problem for lines without a known cause, or none', () => {
    expect(classifyErrorLines([])).toBeNull();
    expect(classifyErrorLines(['[h264 @ 0x1] non-existing PPS 0 referenced'])).toBeNull();
  });

  it('reads a muxer fault on the output side as no known cause, so the push is restarted, not parked as a bad URL', () => {
    const lines = [
      '[flv @ 0x1] Application provided invalid, non monotonically increasing dts to muxer in stream 1: 900 >= 880',
      'av_interleaved_write_frame(): Invalid argument',
    ];
    expect(classifyErrorLines(lines)).toBeNull();
  });

  it('reads only the final error: an old warning far above it names no cause', () => {
    const lines = ['[rtsp @ 0x1] RTP: missed 401 packets', ...Array.from({ length: 20 }, () => 'frame dropped')];
    expect(classifyErrorLines(lines)).toBeNull();
    expect(classifyErrorLines(lines.slice(0, 2))?.problem).toBe('auth-failed');
  });

  it('turns the lines of a failed run into a CameraError with its code, or ffmpeg-error with the last line', () => {
    const refused = vectors.find((each) => each.problem === 'server-refused')!;
    const error = errorFromLines(refused.lines, { camera: 'hall' });
    expect(error.problem).toBe('server-refused');
    expect(error.code).toBe(ErrorCode.MediaServerRefused);
    expect(error.lastError).toBe(classifyErrorLines(refused.lines)?.line);
    expect(error.context).toEqual({ camera: 'hall', problem: 'server-refused' });
    const unknown = errorFromLines(['[h264 @ 0x1] something new', 'the end']);
    expect(unknown.problem).toBe('ffmpeg-error');
    expect(unknown.code).toBe(ErrorCode.FfmpegFailed);
    expect(unknown.lastError).toBe('the end');
  });
});
