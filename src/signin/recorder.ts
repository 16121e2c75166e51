import type { ClockReader } from '../clock/types.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import type { JournalTransaction, JsonValue } from '../journal/types.js';
import { fingerAtSlot } from '../members/fingerRows.js';
import { findMember } from '../members/store.js';
import type { Db } from '../store/database.js';
import { signinText } from './messages.js';
import { readLastSignIn, repeatsWithinWindow, writeLastSignIn } from './repeatWindow.js';

export type UnknownReason = 'no-match' | 'unassigned-slot' | 'unknown-card';
export type ManualMethod = 'cli' | 'secretary-finger';

/** A member was identified: newly signed in, or already within the window. */
export type SignedIn =
  { kind: 'accepted'; memberId: string; seq: number } | { kind: 'already'; memberId: string; sinceSeq: number };

export type SignInOutcome = SignedIn | { kind: 'unknown'; reason: UnknownReason; seq: number };

export interface RecorderDeps {
  journal: Pick<Journal, 'transaction' | 'db'>;
  /** The running activity, if any: every sign-in names it. */
  currentActivityId(): string | null;
  clock: ClockReader;
  windowMinutes: number;
  /**
   * Added to the payload of every sign-in record (emulatedMark): in a room whose scanner is the
   * emulator everything is a demo, a secretary-confirmed sign-in too, and must never count as attendance.
   */
  scannerMark?: Record<string, JsonValue> | undefined;
}

/**
 * Turns an identification into journal records. Each sign-in is one transaction: the roster
 * lookup, the repeat-window check, the event and signin_last commit together, so a sign-in is
 * never half recorded and two touches can never both count. Callers give feedback only after
 * this returns: the member never sees success for a record that is not on disk.
 */
export class SignInRecorder {
  constructor(private readonly deps: RecorderDeps) {}

  /** A module match: slot → fingers → member. A slot nobody owns (an orphan after a restore) is unknown. */
  fingerprint(slot: number, score: number): SignInOutcome {
    return this.deps.journal.transaction((tx) => {
      const activityId = this.deps.currentActivityId();
      const finger = fingerAtSlot(tx.db, slot);
      if (finger === undefined || findMember(tx.db, finger.memberId) === undefined)
        return this.unknownIn(tx, activityId, 'unassigned-slot', this.deps.scannerMark);
      const { memberId } = finger;
      return this.accept(tx, memberId, activityId, 'signin.accepted', {
        memberId,
        slot,
        score,
        activityId,
        method: 'fingerprint',
        ...this.deps.scannerMark,
      });
    });
  }

  /** A member number typed by a keyboard-wedge reader that matched on board. */
  card(memberNumber: string): SignInOutcome {
    return this.deps.journal.transaction((tx) => {
      const activityId = this.deps.currentActivityId();
      if (findMember(tx.db, memberNumber) === undefined)
        return this.unknownIn(tx, activityId, 'unknown-card', this.deps.scannerMark);
      return this.accept(tx, memberNumber, activityId, 'signin.accepted', {
        memberId: memberNumber,
        slot: null,
        score: null,
        activityId,
        method: 'card',
        ...this.deps.scannerMark,
      });
    });
  }

  /** A finger the module does not know: a counted attempt, with nothing about the finger. */
  noMatch(): SignInOutcome {
    return this.deps.journal.transaction((tx) =>
      this.unknownIn(tx, this.deps.currentActivityId(), 'no-match', this.deps.scannerMark),
    );
  }

  /**
   * A supervised sign-in for a member the sensor cannot read. Throws MemberNotFound for an unknown
   * member or confirmer, NotSecretary when the confirmer is not a branch secretary, and
   * SelfConfirmation when a secretary vouches for themself. Roster and role come first: an ordinary
   * member naming themself is told the real obstacle, that they are no secretary.
   */
  manual(memberId: string, confirmedBy: string, method: ManualMethod, operator: string | undefined): SignedIn {
    return this.deps.journal.transaction((tx) => {
      requireMember(tx.db, memberId, 'member');
      requireSecretary(tx.db, confirmedBy);
      if (memberId === confirmedBy)
        throw new AgentError(ErrorCode.SelfConfirmation, signinText('selfConfirmation'), { memberId });
      const activityId = this.deps.currentActivityId();
      const payload = {
        memberId,
        confirmedBy,
        method,
        activityId,
        ...(operator !== undefined && { operator }),
        ...this.deps.scannerMark,
      };
      return this.accept(tx, memberId, activityId, 'signin.manual', payload);
    });
  }

  private accept(
    tx: JournalTransaction,
    memberId: string,
    activityId: string | null,
    type: string,
    payload: Record<string, JsonValue>,
  ): SignedIn {
    const last = readLastSignIn(tx.db, memberId);
    const windowMs = this.deps.windowMinutes * 60_000;
    if (last !== undefined && repeatsWithinWindow(tx.db, last, this.deps.clock.read(), activityId, windowMs)) {
      return { kind: 'already', memberId, sinceSeq: last.seq };
    }
    const entry = tx.append(type, payload);
    writeLastSignIn(tx.db, memberId, entry, activityId);
    return { kind: 'accepted', memberId, seq: entry.seq };
  }

  private unknownIn(
    tx: JournalTransaction,
    activityId: string | null,
    reason: UnknownReason,
    mark?: Record<string, JsonValue>,
  ): SignInOutcome {
    return { kind: 'unknown', reason, seq: tx.append('signin.unknown', { activityId, reason, ...mark }).seq };
  }
}

export function requireMember(db: Db, memberId: string, as: 'member' | 'confirmer'): { role: string } {
  const member = findMember(db, memberId);
  if (member === undefined) {
    throw new AgentError(
      ErrorCode.MemberNotFound,
      signinText(as === 'member' ? 'noMember' : 'noConfirmer', { memberId }),
      { memberId },
    );
  }
  return member;
}

/** Only a branch secretary may vouch for a member the sensor cannot read. */
export function requireSecretary(db: Db, memberId: string): void {
  if (requireMember(db, memberId, 'confirmer').role !== 'secretary') {
    throw new AgentError(ErrorCode.NotSecretary, signinText('notSecretary', { memberId }), { memberId });
  }
}
