export type ClockState = 'synced' | 'unsynced';

/** When the wall time of an event can be trusted, and what it is after correction. */
export type TimeQuality = 'synced' | 'retimed' | 'pending' | 'not-retimeable';

export interface RetimedWall {
  /** Corrected wall time (the original when synced, pending or not re-timeable). */
  wallMs: number;
  quality: TimeQuality;
}

/** The clock stamps of a recorded event (a journal entry's), all that re-timing it needs. */
export interface TimedRecord {
  wallMs: number;
  monoMs: number;
  bootId: string;
  clock: ClockState;
}

/** One reading of the clocks an event is stamped with. */
export interface ClockReading {
  /** Wall-clock time, ms since the Unix epoch; wrong after a power cut until the clock syncs. */
  wallMs: number;
  /** CLOCK_MONOTONIC in ms: time since boot, never jumps. */
  monoMs: number;
  /** /proc/sys/kernel/random/boot_id: monotonic times compare only within one boot. */
  bootId: string;
  state: ClockState;
}

export interface ClockReader {
  read(): ClockReading;
}

/**
 * Where the knowledge "the wall clock is right now" comes from: systemd-timesyncd's flag file by
 * default; the county center's time in its acknowledgements for rooms whose 4G blocks NTP.
 */
export interface ClockSyncSource {
  readonly name: string;
  isSynced(): boolean;
}

/**
 * A simultaneous (wall, monotonic) reading taken once the clock of a boot was known to be right.
 * Any unsynced event of the same boot is re-timed from it: syncWallMs − (syncMonoMs − event mono).
 */
export interface ClockCorrection {
  bootId: string;
  syncWallMs: number;
  syncMonoMs: number;
  /** Which ClockSyncSource said the clock was right (e.g. 'timesyncd', 'center'). */
  source: string;
  /** Seq of the clock.synced event that recorded it. */
  seq: number;
}

/** A clock that can adopt a trusted wall time from outside (the center) when NTP is blocked. */
export interface AdjustableClock extends ClockReader {
  /** Takes `wallMs` as the right time now; returns the reading taken at that moment. */
  adoptWallTime(wallMs: number): ClockReading;
}
