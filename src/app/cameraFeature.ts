import { join } from 'node:path';
import { CameraUnavailableError } from '../cameras/control.js';
import { createProbe } from '../cameras/ffmpeg/probe.js';
import { FfmpegRunner } from '../cameras/ffmpeg/runner.js';
import type { PhotoTaker } from '../cameras/photos.js';
import { PushService } from '../cameras/pushService.js';
import { createPushTools, pushCamerasOf } from '../cameras/pushTools.js';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../daemon/bus.js';
import type { Logger } from '../log.js';
import type { Core } from './core.js';

/** A room without cameras runs no photo service: `camera.photo` keeps its refusal there. */
export const noPhotos: PhotoTaker = { take: (camera) => Promise.reject(new CameraUnavailableError(camera)) };

/**
 * The live push of every camera with a `push` section, on the real ffmpeg runner. Its processes'
 * pid files live in a folder of their own, so that ending an earlier agent's leftovers at start
 * never touches another service's ffmpeg.
 */
export function buildPushService(core: Core, config: Config, bus: EventBus, logger: Logger): PushService {
  const log = logger.child({ service: 'cameras' });
  const runDir = join(config.device.dataDir, 'run', 'push');
  const runner = new FfmpegRunner({ ffmpegPath: config.media.ffmpegPath, runDir, logger: log });
  const probe = createProbe({
    ffprobePath: config.media.ffprobePath,
    runDir,
    timeoutSeconds: config.media.probeTimeoutSeconds,
    logger: log,
  });
  return new PushService({
    cameras: pushCamerasOf(config.cameras),
    tools: (camera) => createPushTools(camera, { launcher: runner, probe }),
    endLeftovers: () => runner.endLeftovers(),
    activityRunning: () => core.activities.current() !== undefined,
    appendJournal: (type, entry) => core.journal.append(type, { ...entry }),
    bus,
    logger: log,
  });
}
