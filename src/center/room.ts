import { KeyChain, type KeyRecord } from '../journal/keyChain.js';
import type { ReceivedHealth } from '../sync/protocol/messages.js';

/** Where and why a room's chain failed verification: the center acknowledges nothing at or past it. */
export interface BrokenChain {
  seq: number;
  reason: string;
}

/**
 * A gap the room declared and the center verified (a journal.gap entry): the room's chain
 * continues at `seq` from `continuesFrom`, the seqs between are skipped for good.
 */
export interface KnownGap {
  seq: number;
  /** `rollback` (a journal behind or beside the center) or `damaged` (a quarantined journal file). */
  reason: string;
  /** The room's English explanation. */
  detail: string;
  continuesFrom: number;
  lost: { fromSeq: number; toSeq: number } | null;
  /** Entries of the lost range the center holds: they stay, outside the verified chain. */
  heldLost: number;
  /** Entries the room re-appended right after the gap. */
  carried: number;
  /** The damaged file the room set aside (damaged only). */
  quarantinedFile: string | null;
  /** The room's wall time when it wrote the gap. */
  wallMs: number;
  recordedMs: number;
}

/**
 * Everything the center knows about one room. The persistent fields mirror the rooms table;
 * the runtime ones are rebuilt at start (maxStoredSeq from the events) or start afresh.
 */
export interface Room {
  readonly deviceId: string;
  firstSeenMs: number;
  lastSeenMs: number;
  state: 'online' | 'offline' | null;
  reason: string | null;
  version: string | null;
  bootId: string | null;
  /** The room's signing keys: the first trusted on first use, later ones by endorsement. */
  keys: KeyRecord[];
  /** First seq of the verified prefix; null until the first entry (seq 1) or backfill batch decides it. */
  baseSeq: number | null;
  /** Last seq of the verified contiguous prefix (baseSeq − 1 while it is empty). */
  contiguousSeq: number;
  /** Hash at contiguousSeq; null when unknown (nothing verified yet after a pruned start). */
  contiguousHash: string | null;
  /** The room's journal head from its latest health message. */
  headSeq: number | null;
  broken: BrokenChain | null;
  duplicates: number;
  badMessages: number;
  health: ReceivedHealth | null;
  lastAckSeq: number | null;
  lastAckMs: number | null;
  /** The highest in/ack version the room reads (its state message's ackVersion; 1 when it says none). */
  ackVersion: number;
  /** Gaps the room declared, oldest first. */
  gaps: KnownGap[];
  // Runtime only.
  /** Highest seq stored for the room. */
  maxStoredSeq: number;
  /** Why the prefix waits although the next entry is stored (keys not known yet). */
  pending: string | null;
  /** When the prefix last moved (or the room was loaded): a gap is judged from here. */
  progressMs: number;
  /** Since when stored entries lie beyond a missing seq after the prefix. */
  gapSinceMs: number | null;
  /** When the center last asked this room to replay. */
  replayMs: number | null;
  /** The key chain built from `keys`; undefined until needed or after `keys` changed. */
  chain: KeyChain | undefined;
}

/** What the center shows and reports about a room. */
export interface RoomSummary {
  deviceId: string;
  state: 'online' | 'offline' | null;
  reason: string | null;
  version: string | null;
  firstSeenMs: number;
  lastSeenMs: number;
  baseSeq: number | null;
  contiguousSeq: number;
  contiguousHash: string | null;
  headSeq: number | null;
  /** Entries the room holds that the center has not verified contiguously; null without a health message. */
  backlog: number | null;
  maxStoredSeq: number;
  broken: BrokenChain | null;
  pending: string | null;
  duplicates: number;
  badMessages: number;
  lastAckSeq: number | null;
  /** scanner.driver from the room's latest health message; null before one, or from a room that does not send it. */
  scannerDriver: string | null;
  /** The room's cameras, their push and its problem, from its latest health message. */
  cameras: ReceivedHealth['cameras'];
  /** What the room verified of its own chain and when, from its latest health message; null before one. */
  verification: ReceivedHealth['journal']['verification'] | null;
  /** The room's damaged-journal alarm from its latest health message: when, which file, why; null when none. */
  journalQuarantined: NonNullable<ReceivedHealth['journal']['quarantined']> | null;
  /** Gaps the room declared, oldest first. */
  gaps: KnownGap[];
  /** The latest gap the room declared after its journal file was damaged; null when none. */
  damaged: KnownGap | null;
  /** The room's storage (a full or read-only card) from its latest health message; null from a room that does not send it. */
  storage: NonNullable<ReceivedHealth['storage']> | null;
}

export function newRoom(deviceId: string, nowMs: number): Room {
  return {
    deviceId,
    firstSeenMs: nowMs,
    lastSeenMs: nowMs,
    state: null,
    reason: null,
    version: null,
    bootId: null,
    keys: [],
    baseSeq: null,
    contiguousSeq: 0,
    contiguousHash: null,
    headSeq: null,
    broken: null,
    duplicates: 0,
    badMessages: 0,
    health: null,
    lastAckSeq: null,
    lastAckMs: null,
    ackVersion: 1,
    gaps: [],
    maxStoredSeq: 0,
    pending: null,
    progressMs: nowMs,
    gapSinceMs: null,
    replayMs: null,
    chain: undefined,
  };
}

export function keyChainOf(room: Room): KeyChain {
  room.chain ??= new KeyChain(room.keys);
  return room.chain;
}

export function summarize(room: Room): RoomSummary {
  return {
    deviceId: room.deviceId,
    state: room.state,
    reason: room.reason,
    version: room.version,
    firstSeenMs: room.firstSeenMs,
    lastSeenMs: room.lastSeenMs,
    baseSeq: room.baseSeq,
    contiguousSeq: room.contiguousSeq,
    contiguousHash: room.contiguousHash,
    headSeq: room.headSeq,
    backlog: room.headSeq === null ? null : Math.max(0, room.headSeq - room.contiguousSeq),
    maxStoredSeq: room.maxStoredSeq,
    broken: room.broken === null ? null : { ...room.broken },
    pending: room.pending,
    duplicates: room.duplicates,
    badMessages: room.badMessages,
    lastAckSeq: room.lastAckSeq,
    scannerDriver: room.health?.scanner.driver ?? null,
    cameras: structuredClone(room.health?.cameras ?? []),
    verification: room.health === null ? null : structuredClone(room.health.journal.verification),
    journalQuarantined: room.health?.journal.quarantined ?? null,
    gaps: structuredClone(room.gaps),
    damaged: structuredClone(room.gaps.findLast((gap) => gap.reason === 'damaged') ?? null),
    storage: room.health?.storage === undefined ? null : { ...room.health.storage },
  };
}
