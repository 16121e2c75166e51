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
