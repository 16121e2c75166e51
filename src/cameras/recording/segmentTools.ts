import type { Logger } from '../../log.js';
import { durationArgs, segmentCheckArgs } from '../ffmpeg/args.js';
import { MediaProcess } from '../ffmpeg/process.js';
import type { PrefixCheck } from './tsRepair.js';

export interface SegmentToolOptions {
  ffmpegPath: string;
  ffprobePath: string;
  /** The recorder's pid folder: a check a killed agent left running is ended with its recordings. */
  runDir: string;
  logger?: Logger | undefined;
}

/** What the recorder asks of ffmpeg about a segment file. */
export interface SegmentTools {
  /** True when the file's first `length` bytes decode with no error line. */
  clean: PrefixCheck;
  /** The file's duration in milliseconds as ffprobe reads it; 0 when it cannot tell. */
  durationMs(path: string): Promise<number>;
}

async function output(binary: string, args: string[], options: SegmentToolOptions, name: string) {
  let stdout = '';
  const run = await MediaProcess.start({
    binary,
    args,
    name,
    runDir: options.runDir,
    logger: options.logger,
    onStdout: (chunk) => (stdout += chunk),
  });
  const exit = await run.exited;
  return { ok: exit.code === 0, stdout, stderr: run.stderrTail() };
}

export function createSegmentTools(options: SegmentToolOptions): SegmentTools {
  return {
    clean: async (path, length) => {
      const result = await output(options.ffmpegPath, segmentCheckArgs(path, length), options, 'check');
      return result.ok && result.stderr.length === 0;
    },
    durationMs: async (path) => {
      const result = await output(options.ffprobePath, durationArgs(path), options, 'duration');
      const seconds = Number.parseFloat(result.stdout.trim());
      return result.ok && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
    },
  };
}
