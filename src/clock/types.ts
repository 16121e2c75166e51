export type ClockState = 'synced' | 'unsynced';

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
