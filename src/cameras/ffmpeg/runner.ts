import type { Logger } from '../../log.js';
import { endLeftovers } from '../../util/processGroup.js';
import type { FfmpegLauncher, FfmpegProgress, FfmpegRun, FfmpegSpec } from '../types.js';
import { MediaProcess } from './process.js';
import { ProgressParser } from './progress.js';

export interface FfmpegRunnerOptions {
  /** The ffmpeg binary: a path, or a name looked up in PATH. */
  ffmpegPath: string;
  /** Where the pid files of running ffmpeg processes go; this runner's own folder. */
  runDir: string;
  logger?: Logger | undefined;
}

/**
 * The real FfmpegLauncher. Each run's progress comes from `-progress pipe:1` (the argument
 * builders put it in) and is parsed here as it arrives.
 */
export class FfmpegRunner implements FfmpegLauncher {
  constructor(private readonly options: FfmpegRunnerOptions) {}

  async start(spec: FfmpegSpec): Promise<FfmpegRun> {
    const listeners: ((progress: FfmpegProgress) => void)[] = [];
    const parser = new ProgressParser();
    const run = await MediaProcess.start({
      binary: this.options.ffmpegPath,
      args: spec.args,
      name: spec.name,
      runDir: this.options.runDir,
      secrets: spec.secrets,
      logger: this.options.logger,
      onStdout: (chunk) => {
        for (const block of parser.push(chunk)) for (const listener of listeners) listener(block);
      },
    });
    return {
      pid: run.pid,
      exited: run.exited,
      onProgress: (listener) => void listeners.push(listener),
      stderrTail: () => run.stderrTail(),
      stop: (graceMs) => run.stop(graceMs),
    };
  }

  /**
   * Ends the ffmpeg processes an earlier agent left in the run folder (it was SIGKILLed where the
   * kernel's parent-death signal could not reach them); for the camera service's start, before
   * its first run. Returns the pid file names of what was ended.
   */
  endLeftovers(): Promise<string[]> {
    return endLeftovers(this.options.runDir);
  }
}
