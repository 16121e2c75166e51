import { RecordingStorageService } from '../cameras/recording/storageService.js';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../daemon/bus.js';
import type { Logger } from '../log.js';
import { uploadCompleted } from '../sync/files/uploadRows.js';
import type { Core } from './core.js';

/**
 * The recordings' pruner over the daemon's journal: a segment counts as uploaded once the file
 * outbox (sync layer) completed its upload, and the running activity is the one being recorded.
 */
export function buildRecordingStorage(
  core: Core,
  config: Config,
  bus: EventBus,
  logger: Logger,
): RecordingStorageService {
  const { journal, activities, clock } = core;
  return new RecordingStorageService({
    journal,
    dataDir: config.device.dataDir,
    quotaBytes: config.media.recordingQuotaBytes,
    keepFreeBytes: config.storage.journalReserveBytes + config.media.minFreeBytes,
    uploaded: (fileId) => uploadCompleted(journal.db, fileId),
    runningActivity: () => activities.current()?.id,
    clock,
    bus,
    logger: logger.child({ service: 'recording-storage' }),
  });
}
