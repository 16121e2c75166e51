import { join } from 'node:path';
import { mkdirDurable } from '../../util/durableDir.js';
import { recordArgs } from '../ffmpeg/args.js';
import { classifyErrorLines } from '../ffmpeg/classify.js';
import { planPush } from '../ffmpeg/plan.js';
import type { Diagnosis, MediaTools } from '../supervisor.js';
import type { CameraProbe, FfmpegLauncher } from '../types.js';
import { diagnoseCameraError } from '../pushTools.js';
import { runName, type SegmentFolder } from './segmentFolder.js';
import { SEGMENT_LIST_SUFFIX } from './segments.js';

/** A camera recorded during activities: its main stream. */
export interface RecordCamera {
  name: string;
  purpose: 'record';
  inputUrl: string;
  stallTimeoutSeconds: number;
  maxRestartsPerMinute: number;
}

export interface RecordToolsOptions {
  camera: RecordCamera;
  folder: SegmentFolder;
  segmentSeconds: number;
  /** The first run number free in the folder. */
  firstRun: number;
  launcher: FfmpegLauncher;
  probe: CameraProbe;
}

/** The supervisor's tools for one camera's recording of one activity, and the name of the run under way. */
export interface RecordTools extends MediaTools {
  /** The file prefix of the latest run (`r0003`); undefined before the first. */
  run(): string | undefined;
}

/**
 * The probe, plan and arguments of a recording. The plan is MPEG-TS's: video copied whatever its
 * codec (H.264 or H.265), AAC audio copied, G.711 transcoded to AAC. Every run gets the next file
 * prefix, so a restarted ffmpeg never writes over a segment of the run before.
 */
export function createRecordTools(options: RecordToolsOptions): RecordTools {
  const { camera, folder } = options;
  let next = options.firstRun;
  let current: string | undefined;
  return {
    launcher: options.launcher,
    probe: options.probe,
    plan: (probed) => planPush(probed, { transcode: false, transport: 'srt' }),
    args: (plan) => {
      mkdirDurable(folder.dir, 0o750);
      current = runName(next++);
      return recordArgs({
        input: camera.inputUrl,
        segmentPattern: join(folder.dir, `${current}-%05d.ts`),
        listFile: join(folder.dir, `${current}${SEGMENT_LIST_SUFFIX}`),
        segmentSeconds: options.segmentSeconds,
        audio: plan.audio,
      });
    },
    diagnoseError: (error) => diagnoseCameraError(error, [camera.inputUrl]),
    diagnoseStderr: recordingDiagnosis,
    run: () => current,
  };
}

/** What a card refusing the segment file writes in ffmpeg's last lines (ENOSPC, EROFS, EIO). */
const LOCAL_WRITE_FAILURE = /No space left on device|Read-only file system|Input\/output error/i;

/**
 * What ffmpeg's last lines say of a recording. Its output is a file on this card, never a media
 * server: the lines ffmpeg writes for a failed output (which for a push mean the server) here mean
 * the card, and say so in the line; the problem is then ffmpeg's own, not the server's advice.
 */
export function recordingDiagnosis(lines: readonly string[]): Diagnosis | undefined {
  const local = lines.findLast((line) => LOCAL_WRITE_FAILURE.test(line));
  if (local !== undefined) return { problem: 'ffmpeg-error', line: local };
  const classified = classifyErrorLines(lines);
  if (classified === null) return undefined;
  if (classified.problem === 'server-refused' || classified.problem === 'server-unreachable')
    return { problem: 'ffmpeg-error', line: classified.line };
  return classified;
}
