import type { EventBus } from '../daemon/bus.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log.js';
import { correctionForBoot, recordCorrection } from '../clock/corrections.js';
import type { AdjustableClock, ClockReading, ClockSyncSource } from '../clock/types.js';

export const CLOCK_SYNCED_EVENT = 'clock.synced';

export interface ClockServiceOptions {
  /** The clock the journal stamps events with (the same instance). */
  clock: AdjustableClock;
  source: ClockSyncSource;
  journal: Journal;
  bus: EventBus;
  pollSeconds: number;
  logger: Logger;
}

/**
 * Watches for the moment this boot's wall clock becomes right and records it once: a
 * `clock.synced` event and a clock_corrections row, in one commit, from which the unsynced events
 * of this boot are re-timed when read.
 */
export class ClockService implements Service {
  readonly name = 'clock';
  private timer: NodeJS.Timeout | undefined;
  private synced = false;

  constructor(private readonly options: ClockServiceOptions) {}

  start(): void {
    const { clock, journal } = this.options;
    // A daemon restarted within the same boot finds the correction it recorded before.
    this.synced = correctionForBoot(journal.db, clock.read().bootId) !== undefined;
    this.poll();
    this.timer = setInterval(() => this.poll(), this.options.pollSeconds * 1000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  health(): ServiceHealth {
    if (this.synced) return { state: 'ok' };
    return {
      state: 'degraded',
      detail: `wall clock not synchronised yet (${this.options.source.name}); event times will be re-timed once it is`,
    };
  }

  /**
   * The seam for rooms whose uplink blocks NTP: a trusted wall time from outside, e.g. the center's
   * time in its acknowledgements. Adopted only while this boot has no sync yet.
   * Returns whether it was adopted.
   */
  reportExternalTime(centerWallMs: number, source: string): boolean {
    if (this.synced || this.options.source.isSynced()) return false;
    this.record(this.options.clock.adoptWallTime(centerWallMs), source);
    return true;
  }

  private poll(): void {
    if (this.synced) return;
    try {
      const reading = this.options.clock.read();
      if (reading.state === 'synced') this.record(reading, this.options.source.name);
    } catch (error) {
      // The next poll tries again; a journal that cannot write is reported by the journal's own users.
      this.options.logger.error({ err: error }, 'could not record the clock synchronisation');
    }
  }

  private record(reading: ClockReading, source: string): void {
    const { journal, bus, logger } = this.options;
    const entry = journal.transaction((tx) => {
      const synced = tx.append(CLOCK_SYNCED_EVENT, {
        bootId: reading.bootId,
        syncWallMs: reading.wallMs,
        syncMonoMs: reading.monoMs,
        source,
      });
      recordCorrection(tx.db, {
        bootId: reading.bootId,
        syncWallMs: reading.wallMs,
        syncMonoMs: reading.monoMs,
        source,
        seq: synced.seq,
      });
      return synced;
    });
    this.synced = true;
    logger.info(
      { source, seq: entry.seq, bootId: reading.bootId },
      'wall clock synchronised; earlier events of this boot can be re-timed',
    );
    bus.emit('clock.synced', { source, seq: entry.seq });
  }
}
