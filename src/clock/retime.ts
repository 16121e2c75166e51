import type { ClockCorrection, RetimedWall, TimedRecord } from './types.js';

/**
 * The best wall time for an event; the signed original is never changed, this is computed on
 * read. An unsynced event of a boot whose clock later synced is placed by the monotonic distance
 * to the sync: syncWallMs − (syncMonoMs − event monoMs). Monotonic times only compare within one
 * boot, so an unsynced event of an earlier boot that never synced cannot be placed.
 */
export function retime(
  entry: TimedRecord,
  correctionForBoot: ClockCorrection | undefined,
  currentBootId: string,
): RetimedWall {
  if (entry.clock === 'synced') return { wallMs: entry.wallMs, quality: 'synced' };
  if (correctionForBoot !== undefined && correctionForBoot.bootId === entry.bootId) {
    return { wallMs: correctionForBoot.syncWallMs - (correctionForBoot.syncMonoMs - entry.monoMs), quality: 'retimed' };
  }
  return { wallMs: entry.wallMs, quality: entry.bootId === currentBootId ? 'pending' : 'not-retimeable' };
}
