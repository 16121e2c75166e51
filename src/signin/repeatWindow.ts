import { correctionForBoot } from '../clock/corrections.js';
import { retime } from '../clock/retime.js';
import type { ClockReading, ClockState } from '../clock/types.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';

/** A member's latest sign-in (table signin_last), with the clock state its event was stamped with. */
export interface LastSignIn {
  seq: number;
  activityId: string | null;
  bootId: string;
  monoMs: number;
  wallMs: number;
  /** Undefined when its event was pruned: its wall time is then not trusted. */
  clock: ClockState | undefined;
}

interface LastRow {
  seq: number;
  activity_id: string | null;
  boot_id: string;
  mono_ms: number;
  wall_ms: number;
  clock: ClockState | null;
}

export function readLastSignIn(db: Db, memberId: string): LastSignIn | undefined {
  const row = statement(
    db,
    `SELECT l.seq, l.activity_id, l.boot_id, l.mono_ms, l.wall_ms, e.clock
     FROM signin_last l LEFT JOIN events e ON e.seq = l.seq WHERE l.member_id = ?`,
  ).get(memberId) as LastRow | undefined;
  if (row === undefined) return undefined;
  return {
    seq: row.seq,
    activityId: row.activity_id,
    bootId: row.boot_id,
    monoMs: row.mono_ms,
    wallMs: row.wall_ms,
    clock: row.clock ?? undefined,
  };
}

export function writeLastSignIn(
  db: Db,
  memberId: string,
  entry: { seq: number; bootId: string; monoMs: number; wallMs: number },
  activityId: string | null,
): void {
  statement(
    db,
    `INSERT INTO signin_last (member_id, seq, activity_id, boot_id, mono_ms, wall_ms) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET seq = excluded.seq, activity_id = excluded.activity_id,
       boot_id = excluded.boot_id, mono_ms = excluded.mono_ms, wall_ms = excluded.wall_ms`,
  ).run(memberId, entry.seq, activityId, entry.bootId, entry.monoMs, entry.wallMs);
}

/**
 * Whether a sign-in now repeats `last`: same activity (or both outside any) and less than
 * `windowMs` ago. Within one boot the monotonic clock decides, since the wall clock of a Pi
 * without a real-time clock may be wrong or jump when it syncs. Across a reboot monotonic times
 * do not compare: the wall clock decides only when both times are trustworthy (synced, or the
 * earlier one re-timed by its boot's later sync); otherwise the sign-in counts as new. A second
 * record is harmless (visibly a repeat, and the center collapses it), a swallowed one is not.
 */
export function repeatsWithinWindow(
  db: Db,
  last: LastSignIn,
  now: ClockReading,
  activityId: string | null,
  windowMs: number,
): boolean {
  if (last.activityId !== activityId) return false;
  if (last.bootId === now.bootId) return now.monoMs - last.monoMs < windowMs;
  if (now.state !== 'synced' || last.clock === undefined) return false;
  const earlier = retime({ ...last, clock: last.clock }, correctionForBoot(db, last.bootId), now.bootId);
  if (earlier.quality !== 'synced' && earlier.quality !== 'retimed') return false;
  const elapsed = now.wallMs - earlier.wallMs;
  return elapsed >= 0 && elapsed < windowMs;
}
