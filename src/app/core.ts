import { PlanStore } from '../activities/plans.js';
import { ActivityStore } from '../activities/store.js';
import { SystemClock } from '../clock/systemClock.js';
import { TimesyncdFlagSource } from '../clock/timesyncd.js';
import type { InspectedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { registerActivityMethods } from '../activities/methods.js';
import { registerFileMethods } from '../sync/files/methods.js';
import { registerJournalMethods } from '../journal/methods.js';
import { registerStatusMethod, type StatusSources } from './statusMethod.js';
import { ControlRegistry } from '../control/registry.js';
import type { EventBus } from '../daemon/bus.js';
import { Journal, type JournalAccess } from '../journal/journal.js';
import { journalVerification, type JournalVerification } from '../journal/verificationReport.js';
import { createSilentLogger, type Logger } from '../log.js';
import { FileQueue } from '../sync/files/fileQueue.js';
import { uploadCompleted } from '../sync/files/uploadRows.js';
import { recordingStorageReport, type RecordingStorageReport } from '../cameras/recording/storageReport.js';
import type { LiveLinkStatus } from '../sync/health/syncStatus.js';
import { readOnlyMount, storageError } from '../store/storageError.js';
import { StorageMonitor } from '../store/storageMonitor.js';
import { agentVersion } from './version.js';
import { journalQuarantined } from '../journal/quarantine/record.js';

/**
 * What the daemon and a standalone CLI command both stand on: the journal, the activity stores
 * and the control methods over them. The CLI, finding no daemon, opens these itself and runs the
 * same methods in-process.
 */
export interface Core {
  clock: SystemClock;
  syncSource: TimesyncdFlagSource;
  journal: Journal;
  activities: ActivityStore;
  plans: PlanStore;
  registry: ControlRegistry;
}

/**
 * Opens the journal (throws JournalOpen on an unreadable or corrupt file, JournalMissing when there
 * is none and `access` is not 'create') and registers the core methods. Only `room-agent run`
 * passes 'create'; on a read-only core the methods that write fail.
 */
export function openCore(config: Config, logger: Logger, bus?: EventBus, access: JournalAccess = 'write'): Core {
  const syncSource = new TimesyncdFlagSource(config.clock.syncFlagPath);
  const clock = new SystemClock(syncSource);
  const journal = Journal.open({
    dataDir: config.device.dataDir,
    access,
    clock,
    logger: logger.child({ module: 'journal' }),
    bus,
  });
  const activities = new ActivityStore(journal, bus);
  const plans = new PlanStore(journal);
  const registry = new ControlRegistry((error, method) => {
    const explained = storageError(error, config.device.dataDir);
    // The daemon's storage monitor counts it and names the state at once.
    if (explained !== undefined) bus?.emit('storage.writeFailed', { error, what: method });
    return explained;
  });
  registerActivityMethods(registry, activities, plans);
  registerJournalMethods(registry, journal);
  registerFileMethods(registry, new FileQueue(journal));
  return { clock, syncSource, journal, activities, plans, registry };
}

/**
 * `status`: `services` is the running daemon's health and `link` its sync service's connection,
 * both absent in a standalone CLI (the sync cursor and backlog come from the journal either way),
 * as is `verification`, the daemon's background verification: a standalone CLI tells what the
 * journal file records of the last full one. `storage` is the daemon's monitor; a standalone CLI
 * measures the storage itself. `recordings` is the daemon's pruner's report; a standalone CLI reads
 * the recordings' index from the journal (no deletion waits for its entry without a daemon).
 */
export function registerStatus(
  core: Core,
  loaded: InspectedConfig,
  daemon?: StatusSources['daemon'],
  link?: () => LiveLinkStatus,
  verification?: () => JournalVerification,
  storage?: StorageMonitor,
  recordings?: () => RecordingStorageReport,
): void {
  const { journal } = core;
  const { config } = loaded;
  const monitor =
    storage ??
    new StorageMonitor({
      dataDir: loaded.config.device.dataDir,
      reserveBytes: loaded.config.storage.journalReserveBytes,
      journalReadOnly: journal.db.readonly && readOnlyMount(loaded.config.device.dataDir),
      logger: createSilentLogger(),
    });
  registerStatusMethod(core.registry, {
    version: agentVersion(),
    daemon,
    journal,
    verification: verification ?? (() => journalVerification(journal)),
    quarantined: () => journalQuarantined(loaded.config.device.dataDir),
    activities: core.activities,
    config: { path: loaded.path, overrideActive: loaded.overrideActive },
    storage: monitor,
    recordings:
      recordings ??
      (() =>
        recordingStorageReport(journal.db, {
          uploaded: (fileId) => uploadCompleted(journal.db, fileId),
          waiting: [],
          nowWallMs: core.clock.read().wallMs,
          quotaBytes: config.media.recordingQuotaBytes,
        })),
    sync: { journal: core.journal, clock: core.clock, brokerUrl: loaded.config.county.url, link },
  });
}
