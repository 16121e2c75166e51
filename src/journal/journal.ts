import { randomUUID } from 'node:crypto';
import type { Transaction } from 'better-sqlite3';
import { join } from 'node:path';
import type { ClockReader } from '../clock/types.js';
import type { EventBus } from '../daemon/bus.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { openDatabase, type DatabaseAccess, type Db } from '../store/database.js';
import { classifyStorageFault } from '../store/sqliteFault.js';
import { mkdirDurable } from '../util/durableDir.js';
import { lastFullVerificationBroken, reportBroken } from './backgroundVerify.js';
import { anchorJournal, checkedAnchor, type AnchorInput } from './anchor.js';
import { canonicalJson, entryHash } from './canonical.js';
import { moveToBranch, remapSeqReferences } from './branch.js';
import { entriesAbove, insertEntry, readEntries } from './entries.js';
import {
  gapPayload,
  isCarriable,
  JOURNAL_GAP_EVENT,
  recordedContent,
  type ContinueAfterLossInput,
  type ContinuedChain,
  type GapReason,
} from './gap.js';
import { KEY_ROTATED_EVENT, registerRotatedKey, type KeyRotationPayload } from './keyChain.js';
import { generateDeviceKey, signDigest, type DeviceKey } from './keyCrypto.js';
import { discardNextKey, keyFiles, loadSigningKey, promoteNextKey, writeKeyFile } from './keys.js';
import { lowerMarks, readAnchor, readCheckpoint, readHead, readVerified, writeHead, writeVerified } from './meta.js';
import { isJournalDamage } from './quarantine/damage.js';
import { pruneJournal, type PruneOptions, type PruneResult } from './prune.js';
import {
  GENESIS_HASH,
  type EntryContent,
  type JournalEntry,
  type JournalHead,
  type JournalTransaction,
  type JsonValue,
  type RecordedContent,
  type SyncAnchor,
  type VerifyResult,
} from './types.js';
import { verifyJournal, type VerifyMode } from './verify.js';

export const JOURNAL_FILE = 'journal.sqlite';

/** Dotted lowercase, e.g. `signin.accepted`, `clock.synced`. */
const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const MAX_READ = 100_000;

/** 'create' is for `room-agent run` alone: see DatabaseAccess. 'read' loads no key and cannot append. */
export type JournalAccess = DatabaseAccess;

export interface JournalOptions {
  dataDir: string;
  /** Default 'write': the journal and its key must exist already. */
  access?: JournalAccess | undefined;
  clock: ClockReader;
  logger: Logger;
  /**
   * When given, 'journal.appended' is emitted after each commit, 'journal.tamper' on a failed
   * verification and 'journal.damaged' when a write finds the file damaged.
   */
  bus?: EventBus | undefined;
}

/**
 * The append-only, hash-chained, signed event log: the single source of truth for what the agent
 * syncs. Every entry is signed with the device key (not only checkpoints): an entry is then
 * verifiable on its own, at a cost far below the fsync every append pays anyway.
 */
export class Journal {
  private latestVerify: VerifyResult = { ok: true, checkedFrom: 1, checkedTo: 0, entries: 0 };
  private latestVerifyAt: { mode: VerifyMode; wallMs: number } | undefined;
  private appendedInTransaction: JournalEntry[] = [];
  /** The center's latest acknowledgement when the card could not store it. */
  private heldAnchor: SyncAnchor | undefined;
  /** Built once: better-sqlite3's transaction() wrapper costs several µs per call on the sign-in path. */
  private readonly runInTransaction: Transaction<
    (fn: (tx: JournalTransaction) => unknown, tx: JournalTransaction) => unknown
  >;
  private readonly tx: JournalTransaction;

  private constructor(
    readonly db: Db,
    private readonly dataDir: string,
    /** Undefined when opened read-only. */
    private key: DeviceKey | undefined,
    private readonly clock: ClockReader,
    private readonly logger: Logger,
    private readonly bus: EventBus | undefined,
  ) {
    this.runInTransaction = db.transaction((fn: (tx: JournalTransaction) => unknown, tx: JournalTransaction) => fn(tx));
    this.tx = { db, append: (type, payload) => this.appendInTransaction(type, payload) };
  }

  /**
   * Opens `<dataDir>/journal.sqlite` and the device key (creating both on first use when access is
   * 'create'), then verifies what was added since the last verification. A broken chain does not
   * stop the journal: sign-ins must still be recorded; the result is in `lastVerify` and in the log.
   */
  static open(options: JournalOptions): Journal {
    const access = options.access ?? 'write';
    if (access === 'create') mkdirDurable(options.dataDir, 0o750);
    const db = openDatabase(join(options.dataDir, JOURNAL_FILE), { access });
    try {
      const key =
        access === 'read'
          ? undefined
          : db
              .transaction(() =>
                loadSigningKey(options.dataDir, db, readHead(db).seq, options.logger, access === 'create'),
              )
              .immediate();
      const journal = new Journal(db, options.dataDir, key, options.clock, options.logger, options.bus);
      journal.verify('incremental');
      return journal;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Outcome of the latest verification; the one at open runs incrementally from the last verified seq. */
  get lastVerify(): VerifyResult {
    return this.latestVerify;
  }

  /** How and when (device wall time) lastVerify was made. */
  get lastVerifyAt(): { mode: VerifyMode; wallMs: number } | undefined {
    return this.latestVerifyAt;
  }

  /** Appends one event; it is on disk (fsync'd) when this returns. */
  append(type: string, payload: JsonValue): JournalEntry {
    return this.transaction((tx) => tx.append(type, payload));
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction: its appends and its writes to other tables commit
   * together or not at all. Entries are announced on the bus only once the outermost one committed.
   */
  transaction<T>(fn: (tx: JournalTransaction) => T): T {
    const run = fn as (tx: JournalTransaction) => unknown;
    if (this.db.inTransaction) {
      const mark = this.appendedInTransaction.length;
      try {
        return this.runInTransaction(run, this.tx) as T;
      } catch (error) {
        this.appendedInTransaction.length = mark;
        throw error;
      }
    }
    let committed: JournalEntry[];
    let result: T;
    try {
      result = this.runInTransaction.immediate(run, this.tx) as T;
    } catch (error) {
      if (isJournalDamage(error)) this.bus?.emit('journal.damaged', { reason: (error as Error).message });
      throw error;
    } finally {
      committed = this.appendedInTransaction;
      this.appendedInTransaction = [];
    }
    for (const entry of committed) this.bus?.emit('journal.appended', { seq: entry.seq, type: entry.type });
    return result;
  }

  private signingKey(): DeviceKey {
    if (this.key === undefined)
      throw new AgentError(ErrorCode.Internal, 'the journal was opened read-only: it cannot sign entries');
    return this.key;
  }

  private appendInTransaction(type: string, payload: JsonValue): JournalEntry {
    if (!EVENT_TYPE.test(type) || type.length > 100) {
      throw new AgentError(
        ErrorCode.JournalBadInput,
        `event type "${type}" must be dotted lowercase words, e.g. "signin.accepted"`,
        { type },
      );
    }
    const head = readHead(this.db);
    return this.writeEntry({ seq: head.seq + 1, prevHash: head.hash, ...this.freshEntry(type, payload) });
  }

  /** What a new entry records of itself: a new id, the event and the clock now. */
  private freshEntry(type: string, payload: JsonValue): RecordedContent {
    const reading = this.clock.read();
    return {
      id: randomUUID(),
      type,
      payload,
      wallMs: reading.wallMs,
      bootId: reading.bootId,
      monoMs: reading.monoMs,
      clock: reading.state,
    };
  }

  /** Signs and inserts an entry at the place given, and makes it the head. */
  private writeEntry(place: Pick<EntryContent, 'seq' | 'prevHash'> & RecordedContent): JournalEntry {
    const key = this.signingKey();
    const canonicalPayload = canonicalJson(place.payload, 'payload');
    const content: EntryContent = {
      seq: place.seq,
      id: place.id,
      type: place.type,
      payload: JSON.parse(canonicalPayload) as JsonValue,
      wallMs: place.wallMs,
      bootId: place.bootId,
      monoMs: place.monoMs,
      clock: place.clock,
      prevHash: place.prevHash,
      keyId: key.keyId,
    };
    const hash = entryHash(content);
    const entry: JournalEntry = { ...content, hash, signature: signDigest(key, hash) };
    insertEntry(this.db, entry, canonicalPayload);
    writeHead(this.db, entry);
    this.appendedInTransaction.push(entry);
    return entry;
  }

  /**
   * Continues the chain from `from` (the last entry known good, with nothing above it in this
   * file) with a signed journal.gap entry at a seq above both the head and `above`, then
   * re-appends `carry` after it (see gap.ts). The sync cursor and the verified mark come down to
   * `from` where they were above it: nothing above it is in the file any more.
   */
  continueAfterLoss(input: ContinueAfterLossInput): ContinuedChain {
    const continued = this.transaction(() => this.continueChain(input));
    this.announceGap(input.reason, continued);
    return continued;
  }

  /**
   * For a journal found behind or beside the center (`centerSeq`: the highest seq the center
   * acknowledged or holds): every entry above the last one the center confirmed is moved to
   * journal_branches and those that verify are re-appended above a gap over every seq either
   * side has used. Undefined when there is nothing to do: the center is not ahead and nothing is
   * unconfirmed, or an earlier rebase already continued above `centerSeq` (so a trigger repeated
   * until the center has the gap never rebases twice).
   */
  rebaseAfterCenter(input: { centerSeq: number; detail: string }): ContinuedChain | undefined {
    const continued = this.transaction((): ContinuedChain | undefined => {
      const head = readHead(this.db);
      const from: JournalHead = readAnchor(this.db) ?? readCheckpoint(this.db) ?? { seq: 0, hash: GENESIS_HASH };
      const firstAbove = readEntries(this.db, from.seq, 1)[0];
      if (firstAbove === undefined && input.centerSeq <= head.seq) return undefined;
      // A gap above everything the center holds was already appended: the center has yet to receive it.
      if (firstAbove?.type === JOURNAL_GAP_EVENT && firstAbove.seq > input.centerSeq) return undefined;
      const above = Math.max(input.centerSeq, head.seq);
      const carry = moveToBranch(this.db, from.seq, above + 1, this.logger);
      const chain = this.continueChain({
        from: { seq: from.seq, hash: from.hash },
        above,
        reason: 'rollback',
        detail: input.detail,
        carry,
      });
      remapSeqReferences(
        this.db,
        carry.map((original, index) => [original.seq, chain.carried[index]!.seq]),
      );
      return chain;
    });
    if (continued !== undefined) this.announceGap('rollback', continued);
    return continued;
  }

  private continueChain(input: ContinueAfterLossInput): ContinuedChain {
    const head = readHead(this.db);
    if (input.from.seq > head.seq || entriesAbove(this.db, input.from.seq)) {
      throw new AgentError(
        ErrorCode.JournalBadInput,
        `the chain can only continue from its last entry: seq ${input.from.seq} is not (the head is seq ${head.seq})`,
        { from: input.from.seq, head: head.seq },
      );
    }
    const carry = input.carry.filter(isCarriable);
    const highest = Math.max(input.above, head.seq);
    // A seq past the safe integers could not be told from its neighbour, nor sent: refuse rather than write one.
    if (!Number.isSafeInteger(highest) || highest > Number.MAX_SAFE_INTEGER - 1 - carry.length) {
      throw new AgentError(
        ErrorCode.JournalBadInput,
        `the chain cannot continue above seq ${highest}: the gap and ${carry.length} re-appended entries would pass seq ${Number.MAX_SAFE_INTEGER}`,
        { above: input.above, head: head.seq, carried: carry.length },
      );
    }
    const gapSeq = highest + 1;
    const payload = gapPayload({ ...input, gapSeq, carriedCount: carry.length });
    const gap = this.writeEntry({
      seq: gapSeq,
      prevHash: input.from.hash,
      ...this.freshEntry(JOURNAL_GAP_EVENT, payload),
    });
    let previous: JournalEntry = gap;
    const carried = carry.map((original) => {
      previous = this.writeEntry({ ...recordedContent(original), seq: previous.seq + 1, prevHash: previous.hash });
      return previous;
    });
    lowerMarks(this.db, input.from);
    return { gap, payload, carried };
  }

  private announceGap(reason: GapReason, continued: ContinuedChain): void {
    const { gap, payload, carried } = continued;
    this.logger.warn(
      { seq: gap.seq, reason, lost: payload.lost, carried: carried.length },
      'the journal continues above a gap',
    );
    this.bus?.emit('journal.gap', { seq: gap.seq, reason, lost: payload.lost, carried: carried.length });
  }

  head(): JournalHead {
    return readHead(this.db);
  }

  /** Entries with seq > afterSeq, oldest first. */
  read(afterSeq: number, limit: number): JournalEntry[] {
    if (!Number.isSafeInteger(afterSeq) || !Number.isInteger(limit) || limit < 1 || limit > MAX_READ) {
      throw new AgentError(
        ErrorCode.JournalBadInput,
        `read(afterSeq, limit) needs whole numbers and 1 ≤ limit ≤ ${MAX_READ}, got (${afterSeq}, ${limit})`,
      );
    }
    return readEntries(this.db, afterSeq, limit);
  }

  /**
   * Records the center's acknowledgement; throws JournalTampered when it contradicts the local
   * chain. On a full or read-only card it is held in memory instead: the outbox goes on from it,
   * and a later acknowledgement is written once the card takes writes again.
   */
  anchor(input: AnchorInput): void {
    const now = this.clock.read();
    try {
      anchorJournal(this.db, input, now);
    } catch (error) {
      const fault = classifyStorageFault(error, { readOnlyMount: this.db.readonly });
      if (fault !== 'full' && fault !== 'read-only') throw error;
      this.heldAnchor = checkedAnchor(this.db, input, now, this.syncCursor()) ?? this.heldAnchor;
      this.logger.warn({ seq: this.heldAnchor?.seq, fault }, 'acknowledgement held in memory: storage is not writable');
    }
  }

  syncCursor(): SyncAnchor | undefined {
    const stored = readAnchor(this.db);
    return this.heldAnchor !== undefined && this.heldAnchor.seq > (stored?.seq ?? 0) ? this.heldAnchor : stored;
  }

  /**
   * Deletes acknowledged entries older than the retention, leaving a signed checkpoint and a
   * `journal.pruned` entry. Refuses to prune a journal that fails verification, or whose last full
   * verification found it broken: pruning would destroy the evidence.
   */
  prune(options: PruneOptions): PruneResult | undefined {
    const verified = this.verify('incremental');
    if (!verified.ok || lastFullVerificationBroken(this.db)) {
      this.logger.warn(
        verified.ok ? { fullVerification: 'broken' } : { firstBrokenSeq: verified.firstBrokenSeq },
        'not pruning a journal that fails verification',
      );
      return undefined;
    }
    const key = this.signingKey();
    const result = this.transaction((tx) => pruneJournal(tx, key, options, this.clock.read().bootId));
    if (result !== undefined)
      this.logger.info(
        { throughSeq: result.throughSeq, deleted: result.deleted },
        'pruned acknowledged journal entries',
      );
    return result;
  }

  /** On a read-only journal the result is not recorded: the next open checks the same entries again. */
  verify(mode: VerifyMode): VerifyResult {
    const result = this.db.readonly ? verifyJournal(this.db, mode) : this.verifyAndMark(mode);
    this.latestVerify = result;
    this.latestVerifyAt = { mode, wallMs: this.clock.read().wallMs };
    if (!result.ok) reportBroken(result, this.logger, this.bus, 'journal verification failed');
    return result;
  }

  /**
   * Verifies and records how far the chain is verified. The mark only spares the next open some
   * work: on a full or read-only card the check runs without it, and the agent still starts.
   */
  private verifyAndMark(mode: VerifyMode): VerifyResult {
    try {
      return this.db
        .transaction(() => {
          const outcome = verifyJournal(this.db, mode);
          if (outcome.ok && outcome.checkedTo > readVerified(this.db).seq) writeVerified(this.db, readHead(this.db));
          return outcome;
        })
        .immediate();
    } catch (error) {
      const fault = classifyStorageFault(error);
      if (fault !== 'full' && fault !== 'read-only') throw error;
      this.logger.warn({ fault }, 'verified the journal without recording the verified mark: storage is not writable');
      return verifyJournal(this.db, mode);
    }
  }

  /**
   * Replaces the signing key: a `journal.key_rotated` entry carrying the new public key, signed by
   * the old key; later entries are signed by the new one. The new key file is written before the
   * entry commits and becomes the key in force after, so a crash in between is settled at the next open.
   */
  rotateKey(): { previousKeyId: string; keyId: string; entry: JournalEntry } {
    const files = keyFiles(this.dataDir);
    const previous = this.signingKey();
    const next = generateDeviceKey();
    writeKeyFile(files.next, next);
    let entry: JournalEntry;
    try {
      entry = this.transaction((tx) => {
        const payload: KeyRotationPayload = {
          keyId: next.keyId,
          publicKey: next.publicKey,
          previousKeyId: previous.keyId,
        };
        const rotation = tx.append(KEY_ROTATED_EVENT, payload);
        registerRotatedKey(tx.db, next, previous, rotation.seq + 1);
        return rotation;
      });
    } catch (error) {
      discardNextKey(files);
      throw error;
    }
    promoteNextKey(files, next);
    this.key = next;
    this.logger.info(
      { previousKeyId: previous.keyId, keyId: next.keyId, seq: entry.seq },
      'rotated the device signing key',
    );
    return { previousKeyId: previous.keyId, keyId: next.keyId, entry };
  }

  close(): void {
    this.db.close();
  }
}
