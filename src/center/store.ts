import { z } from 'zod';
import type { EventRow } from '../journal/entries.js';
import type { KeyRecord } from '../journal/keyChain.js';
import type { JournalEntry } from '../journal/types.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import { deviceKeySchema, receivedHealthSchema, type ReceivedHealth } from '../sync/protocol/messages.js';
import { newRoom, type KnownGap, type Room } from './room.js';

interface RoomRow {
  device_id: string;
  first_seen_ms: number;
  last_seen_ms: number;
  state: string | null;
  reason: string | null;
  version: string | null;
  boot_id: string | null;
  keys: string;
  base_seq: number | null;
  contiguous_seq: number;
  contiguous_hash: string | null;
  head_seq: number | null;
  broken_seq: number | null;
  broken_reason: string | null;
  duplicates: number;
  bad_messages: number;
  health: string | null;
  last_ack_seq: number | null;
  last_ack_ms: number | null;
  ack_version: number;
  max_seq: number | null;
}

interface GapRow {
  seq: number;
  reason: string;
  detail: string;
  continues_from: number;
  lost_from: number | null;
  lost_to: number | null;
  held_lost: number;
  carried: number;
  quarantined_file: string | null;
  wall_ms: number;
  recorded_ms: number;
}

function gapFromRow(row: GapRow): KnownGap {
  return {
    seq: row.seq,
    reason: row.reason,
    detail: row.detail,
    continuesFrom: row.continues_from,
    lost: row.lost_from === null || row.lost_to === null ? null : { fromSeq: row.lost_from, toSeq: row.lost_to },
    heldLost: row.held_lost,
    carried: row.carried,
    quarantinedFile: row.quarantined_file,
    wallMs: row.wall_ms,
    recordedMs: row.recorded_ms,
  };
}

/** Sign-ins of one room: those made through the no-hardware emulator (`emulated: true`) apart. */
export interface SignInCount {
  real: number;
  emulated: number;
}

/**
 * What happened to one entry of a batch on insert. `copy`: stored, but it carries an entry the
 * room's journal holds under another seq already (`of`), so it is never counted again.
 */
export type InsertOutcome =
  { kind: 'inserted' } | { kind: 'copy'; of: number } | { kind: 'duplicate' } | { kind: 'conflict'; reason: string };

export interface CompletedFile {
  deviceId: string;
  fileId: string;
  name: string;
  kind: string;
  size: number;
  sha256: string;
  path: string;
  meta: Record<string, unknown>;
}

const storedKeysSchema = z.array(deviceKeySchema);

/** Columns a room row can be rebuilt from; a hand-edited keys or health column is dropped, not fatal. */
function parseStored<T>(schema: z.ZodType<T>, text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

function roomFromRow(row: RoomRow, nowMs: number): Room {
  const room = newRoom(row.device_id, nowMs);
  room.firstSeenMs = row.first_seen_ms;
  room.lastSeenMs = row.last_seen_ms;
  room.state = row.state === 'online' || row.state === 'offline' ? row.state : null;
  room.reason = row.reason;
  room.version = row.version;
  room.bootId = row.boot_id;
  room.keys = parseStored<KeyRecord[]>(storedKeysSchema, row.keys, []);
  room.baseSeq = row.base_seq;
  room.contiguousSeq = row.contiguous_seq;
  room.contiguousHash = row.contiguous_hash;
  room.headSeq = row.head_seq;
  room.broken = row.broken_seq === null ? null : { seq: row.broken_seq, reason: row.broken_reason ?? '' };
  room.duplicates = row.duplicates;
  room.badMessages = row.bad_messages;
  room.health = parseStored<ReceivedHealth | null>(receivedHealthSchema, row.health, null);
  room.lastAckSeq = row.last_ack_seq;
  room.lastAckMs = row.last_ack_ms;
  room.ackVersion = row.ack_version;
  room.maxStoredSeq = row.max_seq ?? 0;
  return room;
}

const INSERT_EVENT = `INSERT OR IGNORE INTO events
  (device_id, seq, id, type, payload, wall_ms, boot_id, mono_ms, clock, prev_hash, hash, key_id, signature, received_ms, copy_of)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** What a carried copy keeps of its original (journal/gap.ts): everything but its place in the chain and its signature. */
interface RecordedRow {
  device_id: string;
  seq: number;
  type: string;
  payload: string;
  wall_ms: number;
  boot_id: string;
  mono_ms: number;
  clock: string;
}

function sameRecord(row: RecordedRow, entry: JournalEntry, payload: string): boolean {
  return (
    row.type === entry.type &&
    row.payload === payload &&
    row.wall_ms === entry.wallMs &&
    row.boot_id === entry.bootId &&
    row.mono_ms === entry.monoMs &&
    row.clock === entry.clock
  );
}

const SAVE_ROOM = `INSERT INTO rooms
  (device_id, first_seen_ms, last_seen_ms, state, reason, version, boot_id, keys, base_seq, contiguous_seq, contiguous_hash,
   head_seq, broken_seq, broken_reason, duplicates, bad_messages, health, last_ack_seq, last_ack_ms, ack_version)
  VALUES (@deviceId, @firstSeenMs, @lastSeenMs, @state, @reason, @version, @bootId, @keys, @baseSeq, @contiguousSeq, @contiguousHash,
   @headSeq, @brokenSeq, @brokenReason, @duplicates, @badMessages, @health, @lastAckSeq, @lastAckMs, @ackVersion)
  ON CONFLICT (device_id) DO UPDATE SET
    last_seen_ms = excluded.last_seen_ms, state = excluded.state, reason = excluded.reason, version = excluded.version,
    boot_id = excluded.boot_id, keys = excluded.keys, base_seq = excluded.base_seq, contiguous_seq = excluded.contiguous_seq,
    contiguous_hash = excluded.contiguous_hash, head_seq = excluded.head_seq, broken_seq = excluded.broken_seq,
    broken_reason = excluded.broken_reason, duplicates = excluded.duplicates, bad_messages = excluded.bad_messages,
    health = excluded.health, last_ack_seq = excluded.last_ack_seq, last_ack_ms = excluded.last_ack_ms,
    ack_version = excluded.ack_version`;

/** How many stored entries one read brings back when the verified prefix walks over stored rows. */
const PAGE = 512;

/**
 * The center's tables behind prepared statements. Callers group a batch's writes with
 * `transaction`, so a batch is stored, verified and recorded in the room row in one commit.
 */
export class CenterStore {
  constructor(readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  loadRooms(nowMs: number): Room[] {
    const rows = statement(
      this.db,
      'SELECT r.*, (SELECT max(seq) FROM events e WHERE e.device_id = r.device_id) AS max_seq FROM rooms r ORDER BY r.device_id',
    ).all() as RoomRow[];
    return rows.map((row) => {
      const room = roomFromRow(row, nowMs);
      room.gaps = this.knownGaps(room.deviceId);
      return room;
    });
  }

  knownGaps(deviceId: string): KnownGap[] {
    const rows = statement(this.db, 'SELECT * FROM known_gaps WHERE device_id = ? ORDER BY seq').all(
      deviceId,
    ) as GapRow[];
    return rows.map(gapFromRow);
  }

  recordGap(deviceId: string, gap: KnownGap): void {
    statement(
      this.db,
      `INSERT OR REPLACE INTO known_gaps (device_id, seq, reason, detail, continues_from, lost_from, lost_to, held_lost,
         carried, quarantined_file, wall_ms, recorded_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      deviceId,
      gap.seq,
      gap.reason,
      gap.detail,
      gap.continuesFrom,
      gap.lost?.fromSeq ?? null,
      gap.lost?.toSeq ?? null,
      gap.heldLost,
      gap.carried,
      gap.quarantinedFile,
      gap.wallMs,
      gap.recordedMs,
    );
  }

  /** How many entries the center holds for the room in fromSeq..toSeq. */
  heldBetween(deviceId: string, fromSeq: number, toSeq: number): number {
    return statement(this.db, 'SELECT count(*) FROM events WHERE device_id = ? AND seq BETWEEN ? AND ?')
      .pluck()
      .get(deviceId, fromSeq, toSeq) as number;
  }

  /** Seqs of the journal.gap entries stored above `afterSeq`, ascending, at most one page. */
  gapSeqsAbove(deviceId: string, type: string, afterSeq: number): number[] {
    return statement(
      this.db,
      'SELECT seq FROM events WHERE device_id = ? AND type = ? AND seq > ? ORDER BY seq LIMIT ?',
    )
      .pluck()
      .all(deviceId, type, afterSeq, PAGE) as number[];
  }

  saveRoom(room: Room): void {
    statement(this.db, SAVE_ROOM).run({
      deviceId: room.deviceId,
      firstSeenMs: room.firstSeenMs,
      lastSeenMs: room.lastSeenMs,
      state: room.state,
      reason: room.reason,
      version: room.version,
      bootId: room.bootId,
      keys: JSON.stringify(room.keys),
      baseSeq: room.baseSeq,
      contiguousSeq: room.contiguousSeq,
      contiguousHash: room.contiguousHash,
      headSeq: room.headSeq,
      brokenSeq: room.broken?.seq ?? null,
      brokenReason: room.broken?.reason ?? null,
      duplicates: room.duplicates,
      badMessages: room.badMessages,
      health: room.health === null ? null : JSON.stringify(room.health),
      lastAckSeq: room.lastAckSeq,
      lastAckMs: room.lastAckMs,
      ackVersion: room.ackVersion,
    });
  }

  /**
   * Idempotent insert: an entry already held with the same hash is a duplicate (a resent batch);
   * one with another hash at that seq is a conflict. An entry under the id of one the room's
   * journal holds at another seq is a carried copy when it records the same event (type,
   * payload, times): stored, never counted. Any other reuse of an id is a conflict.
   */
  insertEntry(deviceId: string, entry: JournalEntry, receivedMs: number): InsertOutcome {
    const payload = JSON.stringify(entry.payload);
    const insert = (copyOf: number | null): boolean =>
      statement(this.db, INSERT_EVENT).run(
        deviceId,
        entry.seq,
        entry.id,
        entry.type,
        payload,
        entry.wallMs,
        entry.bootId,
        entry.monoMs,
        entry.clock,
        entry.prevHash,
        entry.hash,
        entry.keyId,
        entry.signature,
        receivedMs,
        copyOf,
      ).changes === 1;
    if (insert(null)) return { kind: 'inserted' };
    const held = statement(this.db, 'SELECT hash FROM events WHERE device_id = ? AND seq = ?').get(
      deviceId,
      entry.seq,
    ) as { hash: string } | undefined;
    if (held?.hash === entry.hash) return { kind: 'duplicate' };
    if (held !== undefined) {
      return {
        kind: 'conflict',
        reason: `entry ${entry.seq} differs from the entry stored at that seq (hash ${entry.hash.slice(0, 12)}…, stored ${held.hash.slice(0, 12)}…): the room's journal was rewritten`,
      };
    }
    const owner = statement(
      this.db,
      'SELECT device_id, seq, type, payload, wall_ms, boot_id, mono_ms, clock FROM events WHERE id = ? AND copy_of IS NULL',
    ).get(entry.id) as RecordedRow | undefined;
    if (owner?.device_id === deviceId && sameRecord(owner, entry, payload) && insert(owner.seq))
      return { kind: 'copy', of: owner.seq };
    const where =
      owner === undefined
        ? 'another entry'
        : owner.device_id === deviceId
          ? `entry ${owner.seq}`
          : `an entry of room ${owner.device_id}`;
    return { kind: 'conflict', reason: `entry ${entry.seq} reuses the id ${entry.id} of ${where}` };
  }

  /** Consecutive-or-not stored entries from `fromSeq` upward, at most one page. */
  entriesFrom(deviceId: string, fromSeq: number): Map<number, EventRow> {
    const rows = statement(this.db, 'SELECT * FROM events WHERE device_id = ? AND seq >= ? ORDER BY seq LIMIT ?').all(
      deviceId,
      fromSeq,
      PAGE,
    ) as EventRow[];
    return new Map(rows.map((row) => [row.seq, row]));
  }

  storedSeqs(deviceId: string): number[] {
    return statement(this.db, 'SELECT seq FROM events WHERE device_id = ? ORDER BY seq')
      .pluck()
      .all(deviceId) as number[];
  }

  eventCount(deviceId: string): number {
    return statement(this.db, 'SELECT count(*) FROM events WHERE device_id = ?').pluck().get(deviceId) as number;
  }

  /** Sign-ins (accepted and manual) with a wall time in [fromMs, toMs), by room, emulated ones apart; carried copies not again. */
  signInsBetween(fromMs: number, toMs: number): Map<string, SignInCount> {
    const rows = statement(
      this.db,
      `SELECT device_id, count(*) AS n, coalesce(sum(json_extract(payload, '$.emulated') IS 1), 0) AS emulated FROM events
       WHERE type IN ('signin.accepted', 'signin.manual') AND copy_of IS NULL AND wall_ms >= ? AND wall_ms < ?
       GROUP BY device_id`,
    ).all(fromMs, toMs) as Array<{ device_id: string; n: number; emulated: number }>;
    return new Map(rows.map((row) => [row.device_id, { real: row.n - row.emulated, emulated: row.emulated }]));
  }

  recordFile(file: CompletedFile, completedMs: number): void {
    statement(
      this.db,
      `INSERT OR REPLACE INTO files (device_id, file_id, name, kind, size, sha256, path, meta, completed_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      file.deviceId,
      file.fileId,
      file.name,
      file.kind,
      file.size,
      file.sha256,
      file.path,
      JSON.stringify(file.meta),
      completedMs,
    );
  }

  fileCounts(): Map<string, number> {
    const rows = statement(this.db, 'SELECT device_id, count(*) AS n FROM files GROUP BY device_id').all() as Array<{
      device_id: string;
      n: number;
    }>;
    return new Map(rows.map((row) => [row.device_id, row.n]));
  }
}
