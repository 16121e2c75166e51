import { retime } from '../clock/retime.js';
import type { ClockCorrection, ClockState } from '../clock/types.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';

/** How far a sign-in's time can be trusted: the room's clock was synced, re-timed after a later sync, or neither yet. */
export type SignInTime = 'synced' | 'retimed' | 'unsynced';

/** One sign-in as the county's screen shows it. */
export interface SignInRecord {
  seq: number;
  memberId: string;
  /** The member's name from the room's latest member record; null when the center holds none. */
  name: string | null;
  /** Best-known wall time: re-timed when the room's clock synced later in the same boot. */
  wallMs: number;
  time: SignInTime;
  method: string | null;
  emulated: boolean;
}

export interface ActivityRecord {
  activityId: string;
  type: string | null;
  title: string | null;
  startedMs: number;
}

/** The newest photo a room uploaded completely (`files send --kind photo`). */
export interface PhotoRecord {
  fileId: string;
  name: string;
  path: string;
  completedMs: number;
}

interface SignInRow {
  seq: number;
  wall_ms: number;
  mono_ms: number;
  boot_id: string;
  clock: ClockState;
  member_id: string | null;
  method: string | null;
  emulated: number | null;
  name: string | null;
}

interface SyncRow {
  seq: number;
  sync_wall_ms: number | null;
  sync_mono_ms: number | null;
  source: string | null;
}

/**
 * Reads of one room's day from the center's copy of its journal: who signed in and when, and
 * what activity is running. Everything comes from the signed events the room sent; nothing is
 * written. A member's name is the one in the room's latest member.upserted for that member.
 */
export class RoomDayReader {
  constructor(private readonly db: Db) {}

  /** The latest `limit` sign-ins with a wall time in [fromMs, toMs), newest first; a carried copy is not listed again. */
  recentSignIns(deviceId: string, fromMs: number, toMs: number, limit: number): SignInRecord[] {
    const rows = statement(
      this.db,
      `SELECT e.seq, e.wall_ms, e.mono_ms, e.boot_id, e.clock,
         json_extract(e.payload, '$.memberId') AS member_id,
         json_extract(e.payload, '$.method') AS method,
         json_extract(e.payload, '$.emulated') AS emulated,
         (SELECT json_extract(m.payload, '$.name') FROM events m
           WHERE m.device_id = e.device_id AND m.type = 'member.upserted'
             AND json_extract(m.payload, '$.memberId') = json_extract(e.payload, '$.memberId')
           ORDER BY m.seq DESC LIMIT 1) AS name
       FROM events e
       WHERE e.type IN ('signin.accepted', 'signin.manual') AND e.copy_of IS NULL AND e.wall_ms >= ? AND e.wall_ms < ?
         AND e.device_id = ?
       ORDER BY e.wall_ms DESC, e.seq DESC LIMIT ?`,
    ).all(fromMs, toMs, deviceId, limit) as SignInRow[];
    return rows.map((row) => this.toRecord(deviceId, row));
  }

  /**
   * The latest activity.started the room has not ended; null when none runs. A carried copy of a
   * start the center holds is no new start, though its seq is higher.
   */
  currentActivity(deviceId: string): ActivityRecord | null {
    const row = statement(
      this.db,
      `SELECT json_extract(s.payload, '$.activityId') AS activity_id, json_extract(s.payload, '$.type') AS type,
         json_extract(s.payload, '$.title') AS title, s.wall_ms
       FROM events s WHERE s.device_id = ? AND s.type = 'activity.started' AND s.copy_of IS NULL
       ORDER BY s.seq DESC LIMIT 1`,
    ).get(deviceId) as { activity_id: string | null; type: unknown; title: unknown; wall_ms: number } | undefined;
    if (row === undefined || typeof row.activity_id !== 'string') return null;
    const ended = statement(
      this.db,
      `SELECT 1 FROM events WHERE device_id = ? AND type = 'activity.ended' AND json_extract(payload, '$.activityId') = ? LIMIT 1`,
    ).get(deviceId, row.activity_id);
    if (ended !== undefined) return null;
    return {
      activityId: row.activity_id,
      type: typeof row.type === 'string' ? row.type : null,
      title: typeof row.title === 'string' ? row.title : null,
      startedMs: row.wall_ms,
    };
  }

  /** A room's newest photos, newest first. */
  recentPhotos(deviceId: string, limit: number): PhotoRecord[] {
    const rows = statement(
      this.db,
      `SELECT file_id, name, path, completed_ms FROM files WHERE device_id = ? AND kind = 'photo'
       ORDER BY completed_ms DESC, file_id DESC LIMIT ?`,
    ).all(deviceId, limit) as PhotoRow[];
    return rows.map(photoRecord);
  }

  /** One of a room's photos by its file id; null when the room sent no photo of that id. */
  photo(deviceId: string, fileId: string): PhotoRecord | null {
    const row = statement(
      this.db,
      `SELECT file_id, name, path, completed_ms FROM files WHERE device_id = ? AND file_id = ? AND kind = 'photo'`,
    ).get(deviceId, fileId) as PhotoRow | undefined;
    return row === undefined ? null : photoRecord(row);
  }

  private toRecord(deviceId: string, row: SignInRow): SignInRecord {
    const time = retime(
      { wallMs: row.wall_ms, monoMs: row.mono_ms, bootId: row.boot_id, clock: row.clock },
      row.clock === 'synced' ? undefined : this.syncOfBoot(deviceId, row.boot_id),
      row.boot_id,
    );
    return {
      seq: row.seq,
      memberId: row.member_id === null ? '' : String(row.member_id),
      name: typeof row.name === 'string' ? row.name : null,
      wallMs: time.wallMs,
      time: time.quality === 'synced' || time.quality === 'retimed' ? time.quality : 'unsynced',
      method: typeof row.method === 'string' ? row.method : null,
      emulated: row.emulated === 1,
    };
  }

  /** The room's clock.synced event of that boot, as the correction the room itself re-times with. */
  private syncOfBoot(deviceId: string, bootId: string): ClockCorrection | undefined {
    const row = statement(
      this.db,
      `SELECT seq, json_extract(payload, '$.syncWallMs') AS sync_wall_ms, json_extract(payload, '$.syncMonoMs') AS sync_mono_ms,
         json_extract(payload, '$.source') AS source
       FROM events WHERE device_id = ? AND type = 'clock.synced' AND json_extract(payload, '$.bootId') = ?
       ORDER BY seq LIMIT 1`,
    ).get(deviceId, bootId) as SyncRow | undefined;
    if (row === undefined || typeof row.sync_wall_ms !== 'number' || typeof row.sync_mono_ms !== 'number')
      return undefined;
    return {
      bootId,
      syncWallMs: row.sync_wall_ms,
      syncMonoMs: row.sync_mono_ms,
      source: String(row.source),
      seq: row.seq,
    };
  }
}

interface PhotoRow {
  file_id: string;
  name: string;
  path: string;
  completed_ms: number;
}

function photoRecord(row: PhotoRow): PhotoRecord {
  return { fileId: row.file_id, name: row.name, path: row.path, completedMs: row.completed_ms };
}
