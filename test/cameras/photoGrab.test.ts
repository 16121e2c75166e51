import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { photoArgs } from '../../src/cameras/ffmpeg/args.js';
import { FfmpegRunner } from '../../src/cameras/ffmpeg/runner.js';
import { makeTempDir } from '../helpers/cli.js';

describe('a photo grab', () => {
  it('writes one JPEG of the camera picture through the runner', async () => {
    const temp = makeTempDir('room-agent-photo-');
    try {
      const clip = join(temp.dir, 'camera.mkv');
      execFileSync('ffmpeg', [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25'],
        ...['-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', clip],
      ]);
      const output = join(temp.dir, 'photo.jpg');
      const runner = new FfmpegRunner({ ffmpegPath: 'ffmpeg', runDir: join(temp.dir, 'run') });
      const run = await runner.start({ name: 'photo', args: photoArgs({ input: clip, output }) });
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.stderrTail()).toEqual([]);
      const jpeg = readFileSync(output);
      expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      const size = execFileSync('ffprobe', [
        ...['-v', 'error', '-of', 'csv=p=0', '-show_entries', 'stream=codec_name,width,height', output],
      ]);
      expect(size.toString().trim()).toBe('mjpeg,320,240');
    } finally {
      temp.cleanup();
    }
  });
});
