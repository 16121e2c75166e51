import { existsSync } from 'node:fs';
import type { ClockSyncSource } from './types.js';

export const TIMESYNCD_FLAG_PATH = '/run/systemd/timesync/synchronized';

/**
 * systemd-timesyncd creates its flag file once it has set the clock from NTP; /run is a tmpfs, so
 * the flag is gone after every boot until the next sync.
 */
export class TimesyncdFlagSource implements ClockSyncSource {
  readonly name = 'timesyncd';

  constructor(private readonly flagPath: string = TIMESYNCD_FLAG_PATH) {}

  isSynced(): boolean {
    return existsSync(this.flagPath);
  }
}
