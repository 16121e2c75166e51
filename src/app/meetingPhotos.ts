import { join } from 'node:path';
import { FfmpegRunner } from '../cameras/ffmpeg/runner.js';
import { PhotoCapture } from '../cameras/photoCapture.js';
import { MeetingPhotoService } from '../cameras/photos.js';
import { photoCameraOf, type Config } from '../config/schema.js';
import type { EventBus } from '../daemon/bus.js';
import type { Logger } from '../log.js';
import type { StorageGuard } from '../store/storageGuard.js';
import { FileQueue } from '../sync/files/fileQueue.js';
import type { Core } from './core.js';

/**
 * The meeting photos of a room with cameras; undefined without one. Photos are queued in the
 * journal's file outbox, which the sync service's uploader sends. Their ffmpeg runs keep their
 * pid files in a folder of their own: a push service ending its earlier agent's leftovers must
 * never end a grab under way.
 */
export function buildMeetingPhotos(
  core: Core,
  config: Config,
  bus: EventBus,
  logger: Logger,
  storage: StorageGuard,
): MeetingPhotoService | undefined {
  if (config.cameras.length === 0) return undefined;
  const photoLogger = logger.child({ service: 'meeting-photos' });
  const photoCamera = photoCameraOf(config);
  const runner = new FfmpegRunner({
    ffmpegPath: config.media.ffmpegPath,
    runDir: join(config.device.dataDir, 'run', 'photos'),
    logger: photoLogger,
  });
  const capture = new PhotoCapture({
    launcher: runner,
    queue: new FileQueue(core.journal),
    dataDir: config.device.dataDir,
    logger: photoLogger,
    storage,
  });
  return new MeetingPhotoService({
    photoCamera: photoCamera === undefined ? undefined : { name: photoCamera.name, url: photoCamera.url },
    cameraUrls: new Map(config.cameras.map((camera) => [camera.name, camera.url])),
    intervalMinutes: config.media.photoIntervalMinutes,
    capture,
    endLeftovers: () => runner.endLeftovers(),
    activities: core.activities,
    journal: core.journal,
    clock: core.clock,
    bus,
    logger: photoLogger,
  });
}
