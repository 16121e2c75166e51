import type { ClockReader } from '../clock/types.js';
import type { EventBus } from '../daemon/bus.js';
import { HealthChanges } from '../daemon/healthChanges.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log.js';

export interface JournalPruneOptions {
  journal: Journal;
  clock: ClockReader;
  retentionDays: number;
  intervalMinutes: number;
  logger: Logger;
  bus?: EventBus;
}

/**
 * Runs the journal's prune of acknowledged, expired entries right after start and then every
 * journal.pruneIntervalMinutes: a daemon restarted more often than the interval still prunes.
 */
export class JournalPruneService implements Service {
  readonly name = 'journal-prune';
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private readonly healthChanges: HealthChanges;

  constructor(private readonly options: JournalPruneOptions) {
    this.healthChanges = new HealthChanges(this, options.bus);
  }

  /** The first prune waits for the next turn of the event loop, so it never delays READY=1. */
  start(): void {
    this.first = setTimeout(() => this.prune(), 0);
    this.timer = setInterval(() => this.prune(), this.options.intervalMinutes * 60_000);
  }

  stop(): void {
    clearTimeout(this.first);
    clearInterval(this.timer);
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
      journal.prune({ retentionDays, nowWallMs: now.wallMs });
      this.lastError = undefined;
    } catch (error) {
      this.lastError = `prune failed: ${(error as Error).message}`;
      logger.error({ err: error }, 'journal prune failed; retrying at the next interval');
    }
    this.healthChanges.note();
  }
}
