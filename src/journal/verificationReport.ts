import { readFullVerification, type FullVerifyTrigger } from './backgroundVerify.js';
import type { Journal } from './journal.js';
import type { VerifyResult } from './types.js';
import type { VerifyMode } from './verify.js';

/** One verification's range and verdict, as status and the health message carry it. */
export interface CheckedRange {
  /** Device wall time (ms) when it finished. */
  wallMs: number;
  checkedFrom: number;
  /** The last seq found sound: the head for a whole chain, the seq before the break otherwise. */
  checkedTo: number;
  /** The first broken seq and why; null when the chain checked whole. */
  broken: { seq: number; reason: string } | null;
}

/** What was verified, and when: the journal's part of `status` and of the health message. */
export interface JournalVerification {
  /** The latest check made when the journal was opened or before a prune: incremental, from the last verified seq on. */
  lastCheck: (CheckedRange & { mode: VerifyMode }) | null;
  /** The latest full walk of the chain in the background, kept across restarts. */
  lastFull: (CheckedRange & { trigger: FullVerifyTrigger; startedWallMs: number }) | null;
  /** A full walk under way: how far it got. */
  running: { trigger: FullVerifyTrigger; startedWallMs: number; checkedTo: number } | null;
}

/** The bound of a reason in status and on the wire; the verifier's reasons are far shorter. */
export const MAX_BROKEN_REASON = 500;

function checkedRange(result: VerifyResult, wallMs: number): CheckedRange {
  if (result.ok) return { wallMs, checkedFrom: result.checkedFrom, checkedTo: result.checkedTo, broken: null };
  const reason =
    result.reason.length <= MAX_BROKEN_REASON ? result.reason : `${result.reason.slice(0, MAX_BROKEN_REASON - 1)}…`;
  return {
    wallMs,
    checkedFrom: result.checkedFrom,
    checkedTo: Math.max(result.checkedFrom, result.firstBrokenSeq) - 1,
    broken: { seq: result.firstBrokenSeq, reason },
  };
}

/** The report from the journal's last check and the recorded full verification; `running` from the daemon's walk, when one is under way. */
export function journalVerification(
  journal: Pick<Journal, 'lastVerify' | 'lastVerifyAt' | 'db'>,
  running: JournalVerification['running'] = null,
): JournalVerification {
  const { lastVerify, lastVerifyAt } = journal;
  const lastFull = readFullVerification(journal.db);
  return {
    lastCheck:
      lastVerifyAt === undefined ? null : { ...checkedRange(lastVerify, lastVerifyAt.wallMs), mode: lastVerifyAt.mode },
    lastFull:
      lastFull === undefined
        ? null
        : {
            ...checkedRange(lastFull.result, lastFull.finishedWallMs),
            trigger: lastFull.trigger,
            startedWallMs: lastFull.startedWallMs,
          },
    running,
  };
}
