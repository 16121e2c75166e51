import { jsonPayload as payload } from '../journal/payload.js';
import type { JournalTransaction } from '../journal/types.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';

/** A photo taken and queued for the county. */
export const PHOTO_EVENT = 'camera.photo';
/** A scheduled photo that was not taken: the camera gave none, or its time passed while the agent was down. */
export const PHOTO_MISSED_EVENT = 'camera.photo.missed';

/** Why a photo was taken: a meeting's schedule or the center's `camera.photo` command. */
export type PhotoReason = 'schedule' | 'command';

/** Where a photo belongs: a meeting's slot, or none (a command outside a meeting). */
export interface PhotoOwner {
  camera: string;
  activityId?: string | undefined;
  slot?: number | undefined;
}

export interface TakenPhoto {
  fileId: string;
  sha256: string;
  bytes: number;
}

export function appendPhoto(tx: JournalTransaction, owner: PhotoOwner, reason: PhotoReason, photo: TakenPhoto): void {
  tx.append(PHOTO_EVENT, payload({ ...owner, reason, ...photo }));
}

/** `reason` is English and already masked: it travels to the county in the journal. */
export function appendMissed(tx: JournalTransaction, owner: PhotoOwner, reason: string): void {
  tx.append(PHOTO_MISSED_EVENT, payload({ ...owner, reason }));
}

/**
 * The slots of an activity that were taken or recorded missed, from its journal entries after
 * `afterSeq` (its start): a restarted agent takes none of them again.
 */
export function doneSlots(db: Db, activityId: string, afterSeq: number): Set<number> {
  const rows = statement(
    db,
    `SELECT json_extract(payload, '$.slot') AS slot FROM events
     WHERE seq > ? AND type IN (?, ?) AND json_extract(payload, '$.activityId') = ?`,
  ).all(afterSeq, PHOTO_EVENT, PHOTO_MISSED_EVENT, activityId) as Array<{ slot: number | null }>;
  return new Set(rows.flatMap(({ slot }) => (slot === null ? [] : [slot])));
}
