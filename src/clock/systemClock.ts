import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AdjustableClock, ClockReading, ClockSyncSource } from './types.js';

const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

/**
 * The kernel's id of this boot. Where there is none (not Linux: a developer's machine), every
 * process counts as its own boot: monotonic times are then never compared across a possible
 * reboot, which errs on the side of "not re-timeable".
 */
export function readBootId(file = BOOT_ID_FILE): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return `process-${randomUUID()}`;
  }
}

/** CLOCK_MONOTONIC in whole ms (what process.hrtime reads on Linux): time since boot, never jumps. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

/**
 * The clocks events are stamped with. The sync state is asked of the source at every reading, so
 * an event is never marked synced before the source says so. A wall time adopted from the center
 * is held against the monotonic clock, so a later jump of the system clock cannot move it; it
 * gives way as soon as the source reports the system clock itself synced.
 */
export class SystemClock implements AdjustableClock {
  private adopted: { wallMs: number; monoMs: number } | undefined;

  constructor(
    private readonly source: ClockSyncSource,
    readonly bootId: string = readBootId(),
  ) {}

  read(): ClockReading {
    const monoMs = monotonicMs();
    if (this.source.isSynced()) {
      this.adopted = undefined;
      return { wallMs: Date.now(), monoMs, bootId: this.bootId, state: 'synced' };
    }
    if (this.adopted !== undefined) {
      return {
        wallMs: this.adopted.wallMs + (monoMs - this.adopted.monoMs),
        monoMs,
        bootId: this.bootId,
        state: 'synced',
      };
    }
    return { wallMs: Date.now(), monoMs, bootId: this.bootId, state: 'unsynced' };
  }

  adoptWallTime(wallMs: number): ClockReading {
    this.adopted = { wallMs: Math.round(wallMs), monoMs: monotonicMs() };
    return this.read();
  }
}
