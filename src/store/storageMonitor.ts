import { statfsSync } from 'node:fs';
import type { EventBus } from '../daemon/bus.js';
import { HealthChanges } from '../daemon/healthChanges.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import type { Logger } from '../log.js';
import { readOnlyMount, storageAdvice, storageFaultOf } from './storageError.js';
import { mediaRefusalFor, type StorageGuard, type StorageState } from './storageGuard.js';

/** How often free space is measured: a card freed by a technician is seen well within 10 s. */
export const STORAGE_CHECK_MS = 3_000;
/** Fewer free inodes than this is low: every photo and SQLite's -wal/-shm need one. */
const LOW_INODES = 64;
const BUS_OWNER = 'storage';

export interface StorageReport {
  state: StorageState;
  /** Null when the file system could not be measured. */
  freeBytes: number | null;
  freeInodes: number | null;
  reserveBytes: number;
  /** Journal writes that failed for want of space or a writable card since the agent started. */
  failedWrites: number;
}

export interface StorageMonitorOptions {
  dataDir: string;
  reserveBytes: number;
  logger: Logger;
  bus?: EventBus | undefined;
  /** The journal could only be opened read-only: the card stays read-only for this run. */
  journalReadOnly?: boolean | undefined;
  checkMs?: number | undefined;
}

/** Free bytes and inodes of the file system under `dataDir`; undefined when it cannot be measured. */
export function measureFreeSpace(dataDir: string): { freeBytes: number; freeInodes: number } | undefined {
  try {
    const stats = statfsSync(dataDir);
    // bavail, not bfree: the blocks reserved for root are no use to the agent's own writes.
    return { freeBytes: stats.bavail * stats.bsize, freeInodes: stats.ffree };
  } catch {
    return undefined;
  }
}

/**
 * Watches free space and inodes of the data directory (periodically and after every failed
 * write), names the state, and answers the StorageGuard questions: below the reserve, media
 * stop first, then acknowledged entries are pruned before their retention, to keep the journal
 * writable. It never stops a journal write itself: a sign-in is always attempted, and records
 * again as soon as space returns.
 */
export class StorageMonitor implements Service, StorageGuard {
  readonly name = 'storage';
  private timer: NodeJS.Timeout | undefined;
  /** A write failed for want of space or writability, until space returns or a write succeeds. */
  private writeFault: 'full' | 'read-only' | undefined;
  private failedWrites = 0;
  private latest: StorageReport;
  private readonly healthChanges: HealthChanges;

  constructor(private readonly options: StorageMonitorOptions) {
    this.healthChanges = new HealthChanges(this, options.bus);
    this.latest = this.evaluate();
  }

  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.options.checkMs ?? STORAGE_CHECK_MS);
    this.options.bus?.on(BUS_OWNER, 'storage.writeFailed', ({ error, what }) => this.noteWriteFailure(error, what));
    this.options.bus?.on(BUS_OWNER, 'journal.appended', () => this.noteWriteSuccess());
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.options.bus?.removeOwner(BUS_OWNER);
  }

  health(): ServiceHealth {
    const { state } = this.latest;
    if (state === 'ok') return { state: 'ok' };
    return { state: 'degraded', detail: `${state}: ${this.advice() ?? ''}`.trim() };
  }

  /** The state and its numbers as last measured. */
  report(): StorageReport {
    return this.latest;
  }

  /** What a technician must do, in the reader's language; undefined when ok. */
  advice(): string | undefined {
    return adviceFor(this.latest.state, this.options.dataDir, this.options.reserveBytes);
  }

  mediaRefusal(): string | undefined {
    return mediaRefusalFor(this.latest.state);
  }

  pruneEarly(): boolean {
    return this.latest.state === 'low' || this.latest.state === 'disk-full';
  }

  /** A journal write failed: a full or read-only card is named at once; any other error is not the storage's. */
  noteWriteFailure(error: unknown, what: string): void {
    const fault = storageFaultOf(error, this.options.dataDir);
    if (fault !== 'full' && fault !== 'read-only') return;
    this.writeFault = fault;
    this.failedWrites++;
    this.options.logger.error(
      { what, fault, failedWrites: this.failedWrites },
      `${what} not recorded: ${storageAdvice(fault, this.options.dataDir)}`,
    );
    this.check();
  }

  private noteWriteSuccess(): void {
    if (this.writeFault !== 'full') return;
    this.writeFault = undefined;
    this.check();
  }

  /** Measures again; logs and announces a change of state. */
  check(): void {
    const before = this.latest.state;
    this.latest = this.evaluate();
    const { state, freeBytes, freeInodes } = this.latest;
    if (state !== before) {
      const log = state === 'ok' ? this.options.logger.info : this.options.logger.warn;
      log.call(this.options.logger, { state, before, freeBytes, freeInodes }, `storage ${state}`);
      this.options.bus?.emit('storage.state', { state });
    }
    this.healthChanges.note();
  }

  private evaluate(): StorageReport {
    const { dataDir, reserveBytes, journalReadOnly = false } = this.options;
    const space = measureFreeSpace(dataDir);
    // Space measured above the reserve again means someone freed it: the next write will tell if not.
    if (this.writeFault === 'full' && space !== undefined && space.freeBytes >= reserveBytes && space.freeInodes > 0)
      this.writeFault = undefined;
    let state: StorageState = 'ok';
    if (journalReadOnly || this.writeFault === 'read-only' || readOnlyMount(dataDir)) state = 'read-only';
    else if (this.writeFault === 'full' || (space !== undefined && (space.freeBytes === 0 || space.freeInodes === 0)))
      state = 'disk-full';
    else if (space !== undefined && (space.freeBytes < reserveBytes || space.freeInodes < LOW_INODES)) state = 'low';
    return {
      state,
      freeBytes: space?.freeBytes ?? null,
      freeInodes: space?.freeInodes ?? null,
      reserveBytes,
      failedWrites: this.failedWrites,
    };
  }
}

/** The advice for a state, in the reader's language (a control request carries the CLI's). */
function adviceFor(state: StorageState, dataDir: string, reserveBytes: number): string | undefined {
  switch (state) {
    case 'ok':
      return undefined;
    case 'low':
      return storageAdvice('low', dataDir, reserveBytes);
    case 'disk-full':
      return storageAdvice('full', dataDir, reserveBytes);
    case 'read-only':
      return storageAdvice('read-only', dataDir, reserveBytes);
  }
}
