import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import type { ClockState } from '../clock/types.js';
import type { JournalEntry, JsonValue } from './types.js';

/** An events row as SQLite returns it; the payload column holds the canonical JSON text. */
export interface EventRow {
  seq: number;
  id: string;
  type: string;
  payload: string;
  wall_ms: number;
  boot_id: string;
  mono_ms: number;
  clock: ClockState;
  prev_hash: string;
  hash: string;
  key_id: string;
  signature: string;
}

/** Throws SyntaxError when the payload column is not JSON (only a hand edit can do that). */
export function rowToEntry(row: EventRow): JournalEntry {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    payload: JSON.parse(row.payload) as JsonValue,
    wallMs: row.wall_ms,
    bootId: row.boot_id,
    monoMs: row.mono_ms,
    clock: row.clock,
    prevHash: row.prev_hash,
    hash: row.hash,
    keyId: row.key_id,
    signature: row.signature,
  };
}

export function insertEntry(db: Db, entry: JournalEntry, canonicalPayload: string): void {
  statement(
    db,
    `INSERT INTO events (seq, id, type, payload, wall_ms, boot_id, mono_ms, clock, prev_hash, hash, key_id, signature)
     VALUES (@seq, @id, @type, @payload, @wallMs, @bootId, @monoMs, @clock, @prevHash, @hash, @keyId, @signature)`,
  ).run({ ...entry, payload: canonicalPayload });
}

export function readEntries(db: Db, afterSeq: number, limit: number): JournalEntry[] {
  const rows = statement(db, 'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(
    afterSeq,
    limit,
  ) as EventRow[];
  return rows.map(rowToEntry);
}

export function eventRows(db: Db, afterSeq: number): IterableIterator<EventRow> {
  return statement(db, 'SELECT * FROM events WHERE seq > ? ORDER BY seq').iterate(
    afterSeq,
  ) as IterableIterator<EventRow>;
}

export function eventRowAt(db: Db, seq: number): EventRow | undefined {
  return statement(db, 'SELECT * FROM events WHERE seq = ?').get(seq) as EventRow | undefined;
}

export function entriesAbove(db: Db, seq: number): boolean {
  return statement(db, 'SELECT 1 FROM events WHERE seq > ? LIMIT 1').get(seq) !== undefined;
}
