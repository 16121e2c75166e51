import type { ClockState } from '../clock/types.js';
import type { Db } from '../store/database.js';

/** A JSON value as stored in an event payload (canonically encoded for hashing). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One row of the append-only event log. */
export interface JournalEntry {
  /** Monotonic, never reused, gap-free while nothing is pruned. */
  seq: number;
  /** Globally unique (UUID): duplicates reaching the center are harmless. */
  id: string;
  type: string;
  payload: JsonValue;
  wallMs: number;
  bootId: string;
  monoMs: number;
  clock: ClockState;
  /** Hex SHA-256 of the previous entry's canonical encoding (of the checkpoint after a prune). */
  prevHash: string;
  /** Hex SHA-256 of this entry's canonical encoding. */
  hash: string;
  /** Id of the device key that signed this entry (hex SHA-256 prefix of the public key). */
  keyId: string;
  /** Base64 Ed25519 signature over the hash. */
  signature: string;
}

export interface JournalHead {
  seq: number;
  hash: string;
}

/** What the center last acknowledged as stored, anchoring the chain up to that seq. */
export interface SyncAnchor extends JournalHead {
  /** The center's own wall time at acknowledgement, ms since epoch, when it sent one. */
  centerTimeMs?: number | undefined;
  /** Local monotonic ms and boot id when the anchor was recorded. */
  recordedMonoMs: number;
  recordedBootId: string;
}

export type VerifyResult =
  | { ok: true; checkedFrom: number; checkedTo: number; entries: number }
  | { ok: false; firstBrokenSeq: number; reason: string; checkedFrom: number };

/** prevHash of the first entry ever written: the journal's schema (migration 1) starts the head there. */
export { GENESIS_HASH } from '../store/migrations.js';

/** What a transaction callback may use: append events and write other tables in the same commit. */
export interface JournalTransaction {
  readonly db: Db;
  append(type: string, payload: JsonValue): JournalEntry;
}

/** The fields an entry's hash covers: everything but the hash and the signature. */
export type EntryContent = Omit<JournalEntry, 'hash' | 'signature'>;

/** What an entry records of itself, apart from its place in the chain: kept when it is re-appended. */
export type RecordedContent = Pick<EntryContent, 'id' | 'type' | 'payload' | 'wallMs' | 'bootId' | 'monoMs' | 'clock'>;

/** A signed record that entries up to `seq` were pruned by the device itself. */
export interface Checkpoint extends JournalHead {
  wallMs: number;
  keyId: string;
  signature: string;
}
