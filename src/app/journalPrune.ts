import type { ClockReader } from '../clock/types.js';
import type { EventBus } from '../daemon/bus.js';
import { HealthChanges } from '../daemon/healthChanges.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log.js';
import type { StorageGuard } from '../store/storageGuard.js';

/** How soon storage below its reserve is answered with an early prune. */
const EARLY_CHECK_MS = 60_000;

export interface JournalPruneOptions {
  journal: Journal;
  clock: ClockReader;
  retentionDays: number;
  intervalMinutes: number;
  logger: Logger;
  bus?: EventBus;
  /** Below the storage reserve, acknowledged events go before their retention. */
  storage?: StorageGuard;
}

/**
 * Runs the journal's prune of acknowledged, expired entries right after start and then every
 * journal.pruneIntervalMinutes: a daemon restarted more often than the interval still prunes.
 * While storage is below its reserve it prunes every acknowledged entry, within a minute.
 */
export class JournalPruneService implements Service {
  readonly name = 'journal-prune';
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private early: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private readonly healthChanges: HealthChanges;

  constructor(private readonly options: JournalPruneOptions) {
    this.healthChanges = new HealthChanges(this, options.bus);
  }

  /** The first prune waits for the next turn of the event loop, so it never delays READY=1. */
  start(): void {
    this.first = setTimeout(() => this.prune(), 0);
    this.timer = setInterval(() => this.prune(), this.options.intervalMinutes * 60_000);
    const { storage } = this.options;
    if (storage !== undefined)
      this.early = setInterval(() => {
        if (storage.pruneEarly()) this.prune();
      }, EARLY_CHECK_MS);
  }

  stop(): void {
    clearTimeout(this.first);
    clearInterval(this.timer);
    clearInterval(this.early);
    this.timer = undefined;
  }

  health(): ServiceHealth {
    if (this.timer === undefined) return { state: 'stopped' };
    return this.lastError === undefined ? { state: 'ok' } : { state: 'degraded', detail: this.lastError };
  }

  private prune(): void {
    const { journal, clock, retentionDays, logger } = this.options;
    try {
      // An unsynced wall clock could be days ahead; the retention cutoff would then be wrong.
      const now = clock.read();
      if (now.state !== 'synced') {
        logger.debug('wall clock not synchronised: prune postponed');
        return;
      }
      // Space for sign-ins comes before keeping acknowledged events (the county holds them) for the full retention.
      const early = this.options.storage?.pruneEarly() ?? false;
      if (early) logger.warn('storage below its reserve: pruning every acknowledged event, whatever its age');
      journal.prune({ retentionDays: early ? 0 : retentionDays, nowWallMs: now.wallMs });
      this.lastError = undefined;
    } catch (error) {
      this.lastError = `prune failed: ${(error as Error).message}`;
      logger.error({ err: error }, 'journal prune failed; retrying at the next interval');
    }
    this.healthChanges.note();
  }
}
