import type { CameraConfig } from '../config/schema.js';
import { isCameraError } from './errors.js';
import { DEFAULT_TRANSCODE, pushArgs, pushTransport } from './ffmpeg/args.js';
import { classifyErrorLines } from './ffmpeg/classify.js';
import { planPush } from './ffmpeg/plan.js';
import { maskCameraText, urlSecrets } from './mask.js';
import type { PushMode } from './pushPolicy.js';
import type { Diagnosis, MediaTarget, MediaTools } from './supervisor.js';
import type { CameraProbe, FfmpegLauncher } from './types.js';

/** A camera with a push configured, as the push service needs it. */
export interface PushCamera extends MediaTarget {
  mode: PushMode;
  /** The county media server's URL (with its stream key). */
  pushUrl: string;
  transcode: CameraConfig['transcode'];
  onDemandMinutes: number;
}

/** The cameras of the config that push; a camera without a `push` section only takes photos. */
export function pushCamerasOf(cameras: readonly CameraConfig[]): PushCamera[] {
  return cameras.flatMap((camera) =>
    camera.push === undefined
      ? []
      : [
          {
            name: camera.name,
            purpose: 'push' as const,
            inputUrl: camera.subUrl ?? camera.url,
            stallTimeoutSeconds: camera.stallTimeoutSeconds,
            maxRestartsPerMinute: camera.maxRestartsPerMinute,
            mode: camera.push.mode,
            pushUrl: camera.push.url,
            transcode: camera.transcode,
            onDemandMinutes: camera.push.onDemandMinutes,
          },
        ],
  );
}

/** The real probe, planner, argument builder and ffmpeg error reading for one camera's push. */
export function createPushTools(
  camera: PushCamera,
  runtime: { launcher: FfmpegLauncher; probe: CameraProbe },
): MediaTools {
  return {
    ...runtime,
    plan: (probed) =>
      planPush(probed, { transcode: camera.transcode !== 'off', transport: pushTransport(camera.pushUrl) }),
    args: (plan, probed) =>
      pushArgs({
        input: camera.inputUrl,
        output: camera.pushUrl,
        plan,
        ...(camera.transcode !== 'off' && {
          transcode: { ...DEFAULT_TRANSCODE, encoder: camera.transcode, fps: probed.video?.fps ?? null },
        }),
      }),
    diagnoseError: (error) => diagnoseCameraError(error, [camera.inputUrl, camera.pushUrl]),
    diagnoseStderr: (lines) => classifyErrorLines(lines) ?? undefined,
  };
}

/** What an error of a probe, a plan or a launch says, masked of the secrets of the run's `urls`. */
export function diagnoseCameraError(error: unknown, urls: readonly string[]): Diagnosis {
  if (isCameraError(error)) return { problem: error.problem, line: error.lastError ?? error.message };
  // Not a camera's error: its message may still quote a URL.
  const message = error instanceof Error ? error.message : String(error);
  return { problem: 'ffmpeg-error', line: maskCameraText(message, urls.flatMap(urlSecrets)) };
}
