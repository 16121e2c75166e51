import type { Db } from '../store/database.js';
import { correctionForBoot } from './corrections.js';
import { retime } from './retime.js';
import type { ClockReading, TimedRecord } from './types.js';

/**
 * The wall time now, when it can be trusted: the clock is synced, or this boot's clock was synced
 * earlier (by the daemon, possibly from the center's time) and the monotonic clock carries it on.
 */
export function trustedNowMs(now: ClockReading, db: Db): number | undefined {
  if (now.state === 'synced') return now.wallMs;
  const correction = correctionForBoot(db, now.bootId);
  return correction === undefined ? undefined : correction.syncWallMs + (now.monoMs - correction.syncMonoMs);
}

/**
 * How long a journal entry has waited, in whole seconds (status and health show it for the oldest
 * one after the sync cursor); null when there is none or when its time cannot be told.
 */
export function entryAgeSeconds(entry: TimedRecord | undefined, now: ClockReading, db: Db): number | null {
  if (entry === undefined) return null;
  // Within one boot the monotonic clock measures the age exactly, whatever the wall clock says.
  if (entry.bootId === now.bootId) return Math.max(0, Math.round((now.monoMs - entry.monoMs) / 1000));
  const nowMs = trustedNowMs(now, db);
  const then = retime(entry, correctionForBoot(db, entry.bootId), now.bootId);
  if (nowMs === undefined || (then.quality !== 'synced' && then.quality !== 'retimed')) return null;
  return Math.max(0, Math.round((nowMs - then.wallMs) / 1000));
}
