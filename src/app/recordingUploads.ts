import type { PushService } from '../cameras/pushService.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { FileQueue } from '../sync/files/fileQueue.js';
import { IdleRecordingUploads } from '../sync/files/idleRecordings.js';
import { RecordingUploads } from '../sync/files/recordingUploads.js';
import type { SyncService } from '../sync/service.js';
import type { Core } from './core.js';

/** A camera whose push uses (or is about to use) the uplink: recordings wait for it to end. */
const PUSHING: ReadonlySet<string> = new Set(['probing', 'starting', 'live', 'stalled']);

/** Meeting recordings queued for the county (recording.upload, the idle policy) in the journal's file outbox. */
export function buildRecordingUploads(core: Core, config: Config, logger: Logger): RecordingUploads {
  return new RecordingUploads({
    journal: core.journal,
    queue: new FileQueue(core.journal),
    dataDir: config.device.dataDir,
    activities: core.activities,
    logger: logger.child({ service: 'recording-uploads' }),
  });
}

/**
 * The idle policy for `when-idle` activities: a segment is queued only while the link carries
 * nothing else (connected, every journal entry acknowledged, no push, no file pending).
 */
export function buildIdleRecordings(
  uploads: RecordingUploads,
  sync: SyncService,
  pushes: PushService,
  logger: Logger,
): IdleRecordingUploads {
  return new IdleRecordingUploads({
    uploads,
    idle: () =>
      sync.link.state === 'connected' &&
      sync.outbox.stats().backlogEvents === 0 &&
      sync.files.stats().pendingFiles === 0 &&
      !pushes.cameras().some(({ state }) => PUSHING.has(state)),
    logger: logger.child({ service: 'recording-uploads' }),
  });
}
