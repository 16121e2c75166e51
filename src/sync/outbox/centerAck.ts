import type { EventBus } from '../../daemon/bus.js';
import { ErrorCode, isAgentError } from '../../errors.js';
import { JOURNAL_GAP_EVENT, readGap } from '../../journal/gap.js';
import type { Journal } from '../../journal/journal.js';
import type { JournalEntry } from '../../journal/types.js';
import type { Logger } from '../../log.js';
import type { InboundMessage, MessageProperties } from '../link/types.js';
import { CENTER_ACK_EXPIRY_SECONDS, roomAckSchema, type CenterAck, type RoomAck } from '../protocol/messages.js';

/** A CenterAck is about 150 bytes; anything far larger is not one and is not parsed. */
const MAX_ACK_BYTES = 1024;

/** The ack as JSON and schema-valid, or what is wrong with it. */
function parseCenterAck(payload: Buffer): RoomAck | string {
  if (payload.length > MAX_ACK_BYTES) return `${payload.length} bytes, more than ${MAX_ACK_BYTES}`;
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const parsed = roomAckSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => `${issue.path.join('.') || 'ack'}: ${issue.message}`).join('; ');
}

/**
 * The center's time now, from an ack delivered with `properties`: its centerTimeMs plus how long
 * the broker held it (CENTER_ACK_EXPIRY_SECONDS minus the remaining expiry, to the second).
 * Undefined when the ack carries no expiry, or another one: then nothing bounds its age (it may
 * have waited days in this room's session) and it is no clock source.
 */
function freshCenterTime(ack: RoomAck, properties: MessageProperties): number | undefined {
  const remaining = properties.messageExpiryInterval;
  if (remaining === undefined || remaining > CENTER_ACK_EXPIRY_SECONDS) return undefined;
  return ack.centerTimeMs + (CENTER_ACK_EXPIRY_SECONDS - remaining) * 1000;
}

export interface AcceptedAck {
  ack: RoomAck;
  /** The sync cursor moved (false: the center repeated the cursor it had acknowledged before). */
  advanced: boolean;
  /**
   * The journal continued above everything the center holds (Journal.rebaseAfterCenter): the
   * cursor came down to the last entry both sides share, and what follows it must be sent again.
   */
  rebased: boolean;
  /** freshCenterTime of the ack: undefined when its age is unknown. */
  centerTimeMs: number | undefined;
}

/**
 * Applies the center's acknowledgements to the journal's sync cursor: the only thing that moves
 * it. Nothing from the broker can make this throw: a malformed ack is logged and ignored, a late
 * one changes nothing, one that contradicts the local chain is reported (once per seq and hash,
 * as the center repeats its ack) and ignored.
 *
 * An ack that shows the center ahead of or beside the local journal (a data folder restored from
 * an older copy, a lost WAL, a hand edit) makes the journal continue above every seq the center
 * holds, so that no seq is ever written twice: the center holds more than the local head, or
 * another entry at the acknowledged seq, or reports the chain broken above the cursor where the
 * local chain itself verifies (the room's entries there conflict with the center's). After that
 * rebase the same ack triggers nothing: its seqs lie in the gap the journal declared, below the head.
 */
export class CenterAckReceiver {
  private lastContradiction: string | undefined;
  /**
   * Whether the local chain verified from its start, for the head it was checked at: a full walk
   * signature by signature blocks the daemon for seconds on a long journal, so acks naming one
   * break after another (the ack is not signed: anyone on the broker can send one) do not walk it again.
   */
  private checkedChain: { head: string; localOk: boolean } | undefined;

  constructor(
    private readonly options: {
      journal: Pick<Journal, 'anchor' | 'syncCursor' | 'head' | 'read' | 'verify' | 'rebaseAfterCenter'>;
      bus: EventBus;
      logger: Logger;
    },
  ) {}

  /** The ack when it matches the local chain at or beyond the cursor, or made the journal rebase; undefined otherwise. */
  receive(message: InboundMessage): AcceptedAck | undefined {
    const { logger } = this.options;
    const ack = parseCenterAck(message.payload);
    if (typeof ack === 'string') {
      logger.warn(
        { topic: message.topic, bytes: message.payload.length, problem: ack },
        'ignoring a malformed acknowledgement from the center',
      );
      return undefined;
    }
    const centerTimeMs = freshCenterTime(ack, message.properties);
    // Only a center that sends version 2 knows gaps: a gap sent to one of the release before would break the chain there.
    const gapAware = ack.v === 2 ? ack : undefined;
    const rebase = gapAware === undefined ? undefined : this.rebaseReason(gapAware);
    if (gapAware !== undefined && rebase !== undefined) {
      if (this.localChainVerifies()) return this.rebase(gapAware, rebase, centerTimeMs);
      logger.error(
        { seq: ack.seq, heldSeq: gapAware.heldSeq, reason: rebase },
        'not continuing the journal above the center: the local chain fails verification, and re-appending would sign its changes anew',
      );
    }
    const advanced = this.applyCursor(ack, centerTimeMs);
    if (advanced === undefined) return undefined;
    const accepted: AcceptedAck = { ack, advanced, rebased: false, centerTimeMs };
    if (gapAware === undefined) return accepted;
    const broken = this.conflictingBreak(gapAware);
    return (broken === undefined ? undefined : this.rebase(gapAware, broken, centerTimeMs)) ?? accepted;
  }

  /** Why the ack shows the center ahead of or beside the local journal; undefined when it does not. */
  private rebaseReason(ack: CenterAck): string | undefined {
    const { journal } = this.options;
    const head = journal.head().seq;
    const centerSeq = Math.max(ack.seq, ack.heldSeq);
    if (centerSeq > head) return `the center holds seq ${centerSeq}, beyond the local head (seq ${head})`;
    const cursor = journal.syncCursor()?.seq ?? 0;
    if (ack.seq <= cursor) return undefined;
    const local = entryAt(journal, ack.seq);
    if (local !== undefined && local.hash !== ack.hash)
      return `the center acknowledged another entry at seq ${ack.seq} than the local one`;
    return undefined;
  }

  /** Moves the cursor to the ack: true when it moved, false when it stood, undefined when the ack cannot move it. */
  private applyCursor(ack: RoomAck, centerTimeMs: number | undefined): boolean | undefined {
    const { journal, logger } = this.options;
    const cursor = journal.syncCursor();
    if (cursor !== undefined && ack.seq < cursor.seq) {
      logger.debug({ seq: ack.seq, cursorSeq: cursor.seq }, 'ignoring a late acknowledgement');
      return undefined;
    }
    if (cursor !== undefined && ack.seq === cursor.seq) {
      if (ack.hash === cursor.hash) return false;
      this.contradiction(ack, `entry ${ack.seq} differs from the entry the center acknowledged`);
      return undefined;
    }
    if (skippedByGap(journal, ack.seq)) {
      // The center has yet to receive the gap: its ack still names the seqs the journal left behind.
      logger.debug({ seq: ack.seq }, 'ignoring an acknowledgement of a seq the journal skipped');
      return undefined;
    }
    try {
      journal.anchor({ seq: ack.seq, hash: ack.hash, ...(centerTimeMs !== undefined && { centerTimeMs }) });
    } catch (error) {
      if (isAgentError(error, ErrorCode.JournalTampered)) this.contradiction(ack, error.message);
      else logger.error({ err: error, seq: ack.seq }, 'could not record the acknowledgement from the center');
      return undefined;
    }
    return true;
  }

  /**
   * The center's reported break as a reason to rebase: above the cursor, at an entry the journal
   * holds, while the local chain verifies from its start (a journal changed on disk keeps the
   * break: continuing above it would sign the change anew).
   */
  private conflictingBreak(ack: CenterAck): string | undefined {
    const { journal } = this.options;
    const broken = ack.broken;
    if (broken === undefined || broken.seq <= (journal.syncCursor()?.seq ?? 0)) return undefined;
    if (entryAt(journal, broken.seq) === undefined) return undefined;
    if (!this.localChainVerifies()) return undefined;
    return `the center found the chain broken at seq ${broken.seq} (${broken.reason}), where the local chain verifies`;
  }

  /**
   * Whether the whole local chain verifies, checked once per local head: a rebase re-appends
   * entries under a new signature, which must never cover an entry changed or removed on disk.
   */
  private localChainVerifies(): boolean {
    const { journal } = this.options;
    const head = journal.head().hash;
    if (this.checkedChain?.head !== head) this.checkedChain = { head, localOk: journal.verify('full').ok };
    return this.checkedChain.localOk;
  }

  private rebase(ack: CenterAck, reason: string, centerTimeMs: number | undefined): AcceptedAck | undefined {
    const { journal, logger } = this.options;
    const centerSeq = Math.max(ack.seq, ack.heldSeq);
    let continued: ReturnType<Journal['rebaseAfterCenter']>;
    try {
      continued = journal.rebaseAfterCenter({ centerSeq, detail: reason });
    } catch (error) {
      logger.error(
        { err: error, seq: ack.seq, heldSeq: ack.heldSeq },
        'could not continue the journal above the center',
      );
      return undefined;
    }
    if (continued === undefined) return undefined;
    logger.warn(
      { reason, ackedSeq: ack.seq, heldSeq: ack.heldSeq, gapSeq: continued.gap.seq, carried: continued.carried.length },
      'the journal was behind or beside the center: it continues above every seq the center holds',
    );
    return { ack, advanced: false, rebased: true, centerTimeMs };
  }

  private contradiction(ack: RoomAck, reason: string): void {
    const key = `${ack.seq}:${ack.hash}`;
    if (key === this.lastContradiction) return;
    this.lastContradiction = key;
    this.options.logger.error(
      { seq: ack.seq, acknowledgedHash: ack.hash, reason },
      'the center acknowledged an entry that contradicts the local journal; the sync cursor stays',
    );
    this.options.bus.emit('journal.tamper', { firstBrokenSeq: ack.seq, reason: `center acknowledgement: ${reason}` });
  }
}

/** Whether `seq` lies in the range a journal.gap entry declared lost (the first entry the journal holds from `seq` on). */
function skippedByGap(journal: Pick<Journal, 'read'>, seq: number): boolean {
  const next = journal.read(seq - 1, 1)[0];
  if (next === undefined || next.seq === seq || next.type !== JOURNAL_GAP_EVENT) return false;
  const gap = readGap(next);
  return typeof gap !== 'string' && gap.lost !== null && gap.lost.fromSeq <= seq && seq <= gap.lost.toSeq;
}

/** The local entry at `seq`, undefined when the journal does not hold it. */
function entryAt(journal: Pick<Journal, 'read'>, seq: number): JournalEntry | undefined {
  const entry = journal.read(seq - 1, 1)[0];
  return entry?.seq === seq ? entry : undefined;
}
