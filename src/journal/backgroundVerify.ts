import { setTimeout as sleep } from 'node:timers/promises';
import type { ClockReader } from '../clock/types.js';
import type { EventBus } from '../daemon/bus.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import type { VerifyResult } from './types.js';
import { ChainWalk, type VerifyMode } from './verify.js';

/**
 * Entries checked per slice of a paced verification: one read transaction each. An entry costs a
 * hash and an Ed25519 verification, some 50 µs on a PC core and a few times that on a Raspberry
 * Pi, so a sign-in waits some milliseconds behind a slice, never the whole walk.
 */
export const FULL_VERIFY_SLICE_ENTRIES = 100;

/**
 * The budget of a background verification, in entries per second: about 400 kB/s of journal rows
 * (~400 bytes each), a small share of an SD card's bandwidth. 100 000 entries, years of a busy
 * room, take under two minutes.
 */
export const FULL_VERIFY_ENTRIES_PER_SECOND = 1_000;

/** Why a full verification ran: the stop before this start was not orderly, the journal file changed while no daemon ran, or none had run for a day. */
export const FULL_VERIFY_TRIGGERS = ['unclean-stop', 'changed-while-stopped', 'daily'] as const;
export type FullVerifyTrigger = (typeof FULL_VERIFY_TRIGGERS)[number];

/** The outcome of one full verification, kept in the full_verification table until the next one. */
export interface FullVerification {
  trigger: FullVerifyTrigger;
  startedWallMs: number;
  finishedWallMs: number;
  result: VerifyResult;
}

export interface Pace {
  /** Default FULL_VERIFY_SLICE_ENTRIES. */
  sliceEntries?: number | undefined;
  /** Default FULL_VERIFY_ENTRIES_PER_SECOND. */
  entriesPerSecond?: number | undefined;
}

/**
 * Walks the chain as verifyJournal does, with the same checks (verify.ts ChainWalk), but in slices
 * of a read transaction each, pausing between them so the walk stays within the pace's budget:
 * the event loop (sign-ins, the control socket) runs between slices, and no lock is held while it
 * waits. A board too slow for the budget still pauses as long as each slice took, so the walk
 * never takes more than half of the event loop. Resolves with the verdict, or undefined when
 * `signal` aborted the walk.
 */
export async function verifyPaced(
  db: Db,
  mode: VerifyMode,
  options: Pace & { signal?: AbortSignal | undefined; onSlice?: ((checkedTo: number) => void) | undefined } = {},
): Promise<VerifyResult | undefined> {
  const sliceEntries = options.sliceEntries ?? FULL_VERIFY_SLICE_ENTRIES;
  const sliceMs = (sliceEntries * 1000) / (options.entriesPerSecond ?? FULL_VERIFY_ENTRIES_PER_SECOND);
  const walk = db.transaction(() => ChainWalk.begin(db, mode))();
  if (!(walk instanceof ChainWalk)) return walk;
  const slice = db.transaction(() => walk.step(db, sliceEntries));
  for (;;) {
    const began = performance.now();
    const verdict = slice();
    if (verdict !== undefined) return verdict;
    options.onSlice?.(walk.checkedTo);
    try {
      const tookMs = performance.now() - began;
      await sleep(Math.max(tookMs, sliceMs - tookMs), undefined, { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted === true) return undefined;
      throw error;
    }
  }
}

interface FullVerificationRow {
  trigger: FullVerifyTrigger;
  started_wall_ms: number;
  finished_wall_ms: number;
  checked_from: number;
  checked_to: number | null;
  entries: number | null;
  first_broken_seq: number | null;
  reason: string | null;
}

export function readFullVerification(db: Db): FullVerification | undefined {
  const row = statement(db, 'SELECT * FROM full_verification WHERE id = 1').get() as FullVerificationRow | undefined;
  if (row === undefined) return undefined;
  const result: VerifyResult =
    row.first_broken_seq === null
      ? { ok: true, checkedFrom: row.checked_from, checkedTo: row.checked_to ?? 0, entries: row.entries ?? 0 }
      : { ok: false, firstBrokenSeq: row.first_broken_seq, reason: row.reason ?? '', checkedFrom: row.checked_from };
  return { trigger: row.trigger, startedWallMs: row.started_wall_ms, finishedWallMs: row.finished_wall_ms, result };
}

function writeFullVerification(db: Db, { trigger, startedWallMs, finishedWallMs, result }: FullVerification): void {
  statement(
    db,
    `INSERT OR REPLACE INTO full_verification
       (id, trigger, started_wall_ms, finished_wall_ms, checked_from, checked_to, entries, first_broken_seq, reason)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    trigger,
    startedWallMs,
    finishedWallMs,
    result.checkedFrom,
    result.ok ? result.checkedTo : null,
    result.ok ? result.entries : null,
    result.ok ? null : result.firstBrokenSeq,
    result.ok ? null : result.reason,
  );
}

/** A broken chain, said in the log and on the bus (the health message and its alarm follow the event). */
export function reportBroken(
  result: Extract<VerifyResult, { ok: false }>,
  logger: Logger,
  bus: EventBus | undefined,
  message: string,
): void {
  logger.error({ firstBrokenSeq: result.firstBrokenSeq, reason: result.reason }, message);
  bus?.emit('journal.tamper', { firstBrokenSeq: result.firstBrokenSeq, reason: result.reason });
}

export interface FullVerificationOptions extends Pace {
  db: Db;
  clock: ClockReader;
  logger: Logger;
  bus?: EventBus | undefined;
  trigger: FullVerifyTrigger;
  signal?: AbortSignal | undefined;
  onSlice?: ((checkedTo: number) => void) | undefined;
}

/**
 * One paced full verification, its outcome recorded (one short write once the walk is done) and a
 * broken chain reported. Undefined when aborted: nothing is recorded then.
 */
export async function runFullVerification(options: FullVerificationOptions): Promise<FullVerification | undefined> {
  const { db, clock, logger, bus, trigger } = options;
  const startedWallMs = clock.read().wallMs;
  logger.info({ trigger }, 'full journal verification started');
  let result = await verifyPaced(db, 'full', options);
  // A rebase while the walk paused (journal/branch.ts moves entries and re-appends them above a gap)
  // can look like a break to a walk already past the gap's start: a break counts once a fresh walk finds it too.
  if (result?.ok === false) result = await verifyPaced(db, 'full', options);
  if (result === undefined) return undefined;
  const record: FullVerification = { trigger, startedWallMs, finishedWallMs: clock.read().wallMs, result };
  writeFullVerification(db, record);
  if (result.ok)
    logger.info(
      { trigger, checkedFrom: result.checkedFrom, checkedTo: result.checkedTo, entries: result.entries },
      'full journal verification passed',
    );
  else reportBroken(result, logger, bus, 'full journal verification failed');
  return record;
}

/** Whether the last full verification found the chain broken: a prune then would destroy the evidence. */
export function lastFullVerificationBroken(db: Db): boolean {
  return readFullVerification(db)?.result.ok === false;
}
