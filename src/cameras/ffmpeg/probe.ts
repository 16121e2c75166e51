import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import { CameraError } from '../errors.js';
import type { CameraProbe, ProbedStream } from '../types.js';
import { probeArgs } from './args.js';
import { errorFromLines } from './classify.js';
import { MediaProcess } from './process.js';

export interface ProbeOptions {
  /** The ffprobe binary: a path, or a name looked up in PATH. */
  ffprobePath: string;
  /** Where the pid file of a running probe goes (the runner's folder: leftovers are ended together). */
  runDir: string;
  /** How long a probe may take in all; the camera's socket timeout is the same. */
  timeoutSeconds: number;
  logger?: Logger | undefined;
}

/** What of `ffprobe -of json -show_streams` is read; everything else ffprobe says is ignored. */
const ffprobeOutput = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        profile: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        avg_frame_rate: z.string().optional(),
        r_frame_rate: z.string().optional(),
        sample_rate: z.string().optional(),
        channels: z.number().optional(),
      }),
    )
    .default([]),
});

type FfprobeStream = z.infer<typeof ffprobeOutput>['streams'][number];

/** Stops a probe that outlived its timeout: `q` means nothing to ffprobe, so SIGINT follows soon. */
const PROBE_STOP_GRACE_MS = 500;

/**
 * A CameraProbe on ffprobe: codecs, resolution and frame rate of the camera's first video and
 * first audio stream. Rejects with a CameraError: `timeout` when ffprobe outlives the timeout, the
 * classified problem of its last error line when it fails, `ffmpeg-error` for output it cannot read;
 * with the signal's reason when the signal aborts (ffprobe is stopped at once).
 */
export function createProbe(options: ProbeOptions): CameraProbe {
  return async (url, signal) => {
    signal?.throwIfAborted();
    let stdout = '';
    const probe = await MediaProcess.start({
      binary: options.ffprobePath,
      args: probeArgs(url, options.timeoutSeconds),
      name: 'probe',
      runDir: options.runDir,
      logger: options.logger,
      onStdout: (chunk) => (stdout += chunk),
    });
    const stop = (): void => void probe.stop(PROBE_STOP_GRACE_MS);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutSeconds * 1_000);
    signal?.addEventListener('abort', stop, { once: true });
    const exit = await probe.exited;
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
    signal?.throwIfAborted();
    if (timedOut) throw new CameraError('timeout', probe.stderrTail().at(-1));
    if (exit.code !== 0) throw errorFromLines(probe.stderrTail(), { ...exit });
    return parseProbe(stdout);
  };
}

/**
 * A probe for reads outside the daemon (provision, the doctor): its own scratch folder for the pid
 * files, removed once `use` is done, so it never meets the daemon's run folder.
 */
export async function withOneOffProbe<T>(
  media: { ffprobePath: string; probeTimeoutSeconds: number },
  prefix: string,
  use: (probe: CameraProbe) => Promise<T>,
): Promise<T> {
  const runDir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await use(
      createProbe({ ffprobePath: media.ffprobePath, runDir, timeoutSeconds: media.probeTimeoutSeconds }),
    );
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** ffprobe's JSON as a ProbedStream; `ffmpeg-error` when it is not what ffprobe writes. */
export function parseProbe(json: string): ProbedStream {
  let parsed: z.infer<typeof ffprobeOutput>;
  try {
    parsed = ffprobeOutput.parse(JSON.parse(json));
  } catch {
    throw new CameraError('ffmpeg-error', 'ffprobe wrote output that is not its JSON');
  }
  const video = parsed.streams.find((stream) => stream.codec_type === 'video');
  const audio = parsed.streams.find((stream) => stream.codec_type === 'audio');
  return {
    video:
      video === undefined
        ? null
        : {
            codec: video.codec_name ?? 'unknown',
            width: video.width ?? 0,
            height: video.height ?? 0,
            fps: frameRate(video),
            profile: video.profile,
          },
    audio:
      audio === undefined
        ? null
        : {
            codec: audio.codec_name ?? 'unknown',
            sampleRate: audio.sample_rate === undefined ? null : Number(audio.sample_rate) || null,
            channels: audio.channels ?? null,
          },
  };
}

/** Above this a probed rate is a timebase, not frames (RTSP cameras report `90000/1` with an unknown average). */
const MAX_PLAUSIBLE_FPS = 240;

/** The average frame rate when ffprobe knows it, else the base rate; `0/0`, timebases and the like are unknown. */
function frameRate(stream: FfprobeStream): number | null {
  for (const rate of [stream.avg_frame_rate, stream.r_frame_rate]) {
    const [numerator, denominator] = (rate ?? '').split('/').map(Number);
    if (numerator === undefined || denominator === undefined || !(numerator > 0) || !(denominator > 0)) continue;
    const fps = numerator / denominator;
    if (fps <= MAX_PLAUSIBLE_FPS) return Math.round(fps * 100) / 100;
  }
  return null;
}
