import type { Room } from './room.js';

/**
 * Whether the room should be asked to replay, and from which seq. There is a gap when the prefix
 * cannot move although the room holds more: entries are stored past a missing seq (a live batch
 * ran ahead, and what lies between never came), or the room's journal head (from its health
 * message) lies past the prefix and nothing arrives (a batch published before the center first
 * subscribed reached nobody). Only an online room is asked: an offline one resends from its cursor
 * when it connects anyway, and asking it every `gapMs` would pile up commands (and their rows)
 * for a room that may stay away for days. It is asked once the prefix has not moved for `gapMs`,
 * and not again within `gapMs`. An entry waiting for its key, or the break itself, is no gap: a
 * replay would not change them.
 */
export function replayDue(room: Room, nowMs: number, gapMs: number): number | undefined {
  const next = room.contiguousSeq + 1;
  const storedBeyond = room.maxStoredSeq > next;
  const headBeyond = room.headSeq !== null && room.headSeq >= next;
  const gap =
    room.state === 'online' &&
    room.pending === null &&
    next < (room.broken?.seq ?? Number.POSITIVE_INFINITY) &&
    (storedBeyond || headBeyond);
  if (!gap) {
    room.gapSinceMs = null;
    return undefined;
  }
  room.gapSinceMs ??= nowMs;
  const waitingSince = Math.max(room.gapSinceMs, room.progressMs);
  if (nowMs - waitingSince < gapMs) return undefined;
  if (room.replayMs !== null && nowMs - room.replayMs < gapMs) return undefined;
  room.replayMs = nowMs;
  return next;
}
