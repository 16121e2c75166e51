import type { Config } from '../config/schema.js';
import type { EventBus } from '../daemon/bus.js';
import { ErrorCode, isAgentError } from '../errors.js';
import type { Logger } from '../log.js';
import { shareExclusiveDatabase } from '../store/sharedLocking.js';
import { storageFaultOf } from '../store/storageError.js';
import { StorageMonitor } from '../store/storageMonitor.js';
import { openCore, type Core } from './core.js';
import { openCoreOrQuarantine } from './journalRecovery.js';

export interface DaemonCore {
  core: Core;
  /** The card is read-only: the journal is read (status, verify, sync of what is on it), never written. */
  journalReadOnly: boolean;
}

/**
 * The daemon's core, a damaged journal quarantined first (journalRecovery.ts). On a read-only card (the kernel's answer to a failing one) the journal is
 * opened read-only and the daemon runs on in that named state: exiting would only loop through
 * restarts that cannot heal it, and the room still has records on it to sync.
 */
export function openDaemonCore(config: Config, logger: Logger, bus: EventBus): DaemonCore {
  try {
    return { core: openCoreOrQuarantine(config, logger, bus), journalReadOnly: false };
  } catch (error) {
    if (!isAgentError(error, ErrorCode.StorageReadOnly)) throw error;
    logger.error({ err: error }, 'the data directory is read-only: running on what can be read');
    return { core: openCore(config, logger, bus, 'read'), journalReadOnly: true };
  }
}

/**
 * Once a daemon that started on a full card sees space again, its journal leaves the exclusive
 * locking mode the start needed, so that `journal verify` can read beside it again.
 */
export function shareJournalWhenSpaceReturns(bus: EventBus, core: Core, logger: Logger): void {
  bus.on('journal-locking', 'storage.state', ({ state }) => {
    if (state !== 'ok' && state !== 'low') return;
    try {
      if (shareExclusiveDatabase(core.journal.db))
        logger.info('space is back: the journal can be read beside the daemon again');
    } catch (error) {
      logger.warn({ err: error }, 'the journal stays locked to the daemon until space is freed');
    }
  });
}

export function buildStorageMonitor(
  config: Config,
  bus: EventBus,
  logger: Logger,
  journalReadOnly: boolean,
): StorageMonitor {
  return new StorageMonitor({
    dataDir: config.device.dataDir,
    reserveBytes: config.storage.journalReserveBytes,
    journalReadOnly,
    bus,
    logger: logger.child({ service: 'storage' }),
  });
}

/**
 * Runs a journal write the daemon can run without (its start and stop records): on a full or
 * read-only card the monitor names the state and the daemon goes on; any other error is thrown.
 */
export function recordUnlessStorageFails(
  monitor: StorageMonitor,
  dataDir: string,
  what: string,
  write: () => void,
): void {
  try {
    write();
  } catch (error) {
    const fault = storageFaultOf(error, dataDir);
    if (fault !== 'full' && fault !== 'read-only') throw error;
    monitor.noteWriteFailure(error, what);
  }
}
