import { join } from 'node:path';
import { noCameraService } from '../cameras/control.js';
import { createProbe } from '../cameras/ffmpeg/probe.js';
import { FfmpegRunner } from '../cameras/ffmpeg/runner.js';
import { PushService, type PhotoTaker } from '../cameras/pushService.js';
import { createPushTools, pushCamerasOf } from '../cameras/pushTools.js';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../daemon/bus.js';
import type { Logger } from '../log.js';
import type { Core } from './core.js';

/** Until the photo service is wired in, `camera.photo` keeps its refusal: no photo service runs. */
export const noPhotos: PhotoTaker = { take: (camera) => noCameraService.photo(camera) };

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
