import { entryAgeSeconds } from '../../clock/entryAge.js';
import { monotonicMs } from '../../clock/systemClock.js';
import type { ClockReader } from '../../clock/types.js';
import type { EventBus } from '../../daemon/bus.js';
import { AgentError, ErrorCode } from '../../errors.js';
import type { Journal } from '../../journal/journal.js';
import type { Logger } from '../../log.js';
import type { InboundMessage, Link, LinkSession } from '../link/types.js';
import type { RoomTopics } from '../protocol/topics.js';
import type { ByteRateLimiter } from '../rateLimiter.js';
import { Backfill } from './backfill.js';
import { Batcher } from './batcher.js';
import { CenterAckReceiver } from './centerAck.js';
import { CenterClock } from './centerClock.js';
import { LiveLane } from './liveLane.js';
import { RewindTimer } from './rewindTimer.js';
import { BatchSender, type SendCounters } from './sender.js';
import { OutboxSession } from './session.js';

export interface EventOutboxOptions {
  journal: Journal;
  link: Link;
  topics: RoomTopics;
  deviceId: string;
  /** The byte-rate cap shared with file uploads. */
  limiter: ByteRateLimiter;
  batchMaxEvents: number;
  batchMaxBytes: number;
  /** Without an acknowledgement moving the cursor for this long, what was sent goes again. */
  ackTimeoutMs: number;
  bus: EventBus;
  logger: Logger;
  /** The clock the journal stamps entries with: ages of unsent entries are measured on it. */
  clock: ClockReader;
  /** The center's time from each acknowledgement (ClockService.reportExternalTime in the daemon). */
  onCenterTime?: ((centerTimeMs: number) => void) | undefined;
  /** Monotonic ms; tests may pass their own. */
  now?: (() => number) | undefined;
}

/** What health and `room-agent status` show of the outbox. */
export interface OutboxStats extends SendCounters {
  headSeq: number;
  headHash: string;
  /** The sync cursor: highest seq the center acknowledged as stored; 0 before the first. */
  ackedSeq: number;
  ackedHash: string | null;
  /** Highest seq the broker acknowledged (PUBACK) since start; 0 before the first. */
  sentSeq: number;
  /** Entries after the cursor. */
  backlogEvents: number;
  /** Age of the oldest entry after the cursor; null when none, or when its age cannot be told. */
  oldestUnsentAgeSeconds: number | null;
  /** Monotonic ms of the last acknowledgement that matched the local chain and carried a usable time; null before one. */
  lastAckMonoMs: number | null;
  /** The center's time then (its centerTimeMs plus how long the broker held it). */
  lastAckCenterTimeMs: number | null;
}

const BUS_OWNER = 'sync-outbox';

/**
 * The journal as the outbox (src/sync/protocol/README.md, "Acknowledgements"). Nothing is queued
 * anywhere else: at every connection the outbox reads the journal from the sync cursor, and only
 * the center's acknowledgement of what it stored moves that cursor. Seq gives the total order; the
 * center acknowledges a contiguous prefix only, so a live batch running ahead of the backfill
 * never lets the cursor skip a gap. Re-sending is always safe (entries have unique ids), so when
 * in doubt it re-sends.
 */
export class EventOutbox {
  readonly centerClock: CenterClock;
  private readonly now: () => number;
  private readonly sender: BatchSender;
  private readonly live: LiveLane;
  private readonly backfill: Backfill;
  private readonly acks: CenterAckReceiver;
  private readonly rewind: RewindTimer;
  private session: OutboxSession | undefined;
  private backfillRun: Promise<void> | undefined;
  /** A replay asked for while no connection was up: applied at the next 'up'. */
  private pendingReplay: { afterSeq: number; throughSeq: number } | undefined;
  private sentSeq = 0;
  private lastAck: { monoMs: number; centerTimeMs: number } | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly options: EventOutboxOptions) {
    const { journal, link, topics, deviceId, limiter, bus, logger } = options;
    this.now = options.now ?? monotonicMs;
    this.centerClock = new CenterClock(this.now);
    const batcher = new Batcher(journal, deviceId, {
      maxEvents: options.batchMaxEvents,
      maxBytes: options.batchMaxBytes,
    });
    this.sender = new BatchSender({
      link,
      topic: topics.events,
      deviceId,
      logger,
      onPuback: (session, batch) => {
        this.sentSeq = Math.max(this.sentSeq, batch.toSeq);
        this.awaitAck(session, batch.toSeq);
      },
      // Nothing else sends a refused batch again on this connection (both lanes moved past it):
      // like a batch the center did not acknowledge, it goes again from the cursor after the timeout.
      onRefused: (session, batch) => this.awaitAck(session, batch.toSeq),
      onSettled: (session, lane) => {
        session.wake.notify();
        if (lane === 'live') this.live.flush(session);
      },
    });
    this.live = new LiveLane({
      journal,
      batcher,
      sender: this.sender,
      limiter,
      maxPending: options.batchMaxEvents,
      logger,
    });
    this.backfill = new Backfill({ batcher, sender: this.sender, limiter, frontier: () => this.live.frontier, logger });
    this.acks = new CenterAckReceiver({ journal, bus, logger });
    this.rewind = new RewindTimer(options.ackTimeoutMs);
  }

  start(): void {
    const { link, bus, journal } = this.options;
    this.live.startAfter(journal.head().seq);
    this.seedFromCursor();
    this.unsubscribe.push(
      link.on('up', (session) => this.onUp(session)),
      link.on('down', (reason) => this.endSession(`link down: ${reason}`)),
    );
    bus.on(BUS_OWNER, 'journal.appended', () => this.live.appended(this.session));
    const tickMs = Math.min(1000, Math.max(50, Math.floor(this.options.ackTimeoutMs / 4)));
    this.ticker = setInterval(() => this.tick(), tickMs);
    this.ticker.unref();
    if (link.state === 'connected' && link.session !== undefined) this.onUp(link.session);
  }

  /** Ends its own waits; batches already with the link settle on their own. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.options.bus.removeOwner(BUS_OWNER);
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.endSession('the outbox stopped');
    await this.backfillRun;
  }

  /** A message on in/ack. Never throws: whatever the broker delivers is validated and at worst logged. */
  handleAck(message: InboundMessage): void {
    try {
      this.applyAck(message);
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not handle an acknowledgement from the center');
    }
  }

  private applyAck(message: InboundMessage): void {
    const accepted = this.acks.receive(message);
    if (accepted === undefined) return;
    const { ack, advanced, rebased, centerTimeMs } = accepted;
    const now = this.now();
    if (rebased) {
      // The cursor came down to the last entry both sides share: everything above it goes again, the gap first.
      const cursorSeq = this.options.journal.syncCursor()?.seq ?? 0;
      this.rewind.acked(this.session?.sentSeq ?? 0, cursorSeq, now);
      this.session?.rewindTo(cursorSeq);
    }
    if (advanced) {
      this.rewind.acked(this.session?.sentSeq ?? 0, ack.seq, now);
      this.session?.acknowledged(ack.seq);
      this.options.logger.debug({ seq: ack.seq }, 'the center acknowledged events');
    }
    if (centerTimeMs === undefined) {
      this.options.logger.debug(
        { seq: ack.seq },
        'an acknowledgement without its message expiry: its age is unknown, so its time is not used',
      );
      return;
    }
    this.lastAck = { monoMs: now, centerTimeMs };
    this.centerClock.observe(centerTimeMs, now);
    try {
      this.options.onCenterTime?.(centerTimeMs);
    } catch (error) {
      this.options.logger.error({ err: error }, "could not take the center's time");
    }
  }

  /**
   * The center's replay command: sends again from `seq` (or from the oldest entry the journal
   * still holds) up to the head. Applied now when connected, else at the next connection.
   */
  replayFrom(seq: number): { fromSeq: number; toSeq: number } {
    if (!Number.isSafeInteger(seq) || seq < 1) {
      throw new AgentError(ErrorCode.OutboxReplayInvalid, `a replay starts at a whole seq ≥ 1, not ${String(seq)}`, {
        seq,
      });
    }
    const { journal, logger } = this.options;
    const head = journal.head().seq;
    const fromSeq = Math.max(seq, journal.read(0, 1)[0]?.seq ?? head + 1);
    if (fromSeq > head) return { fromSeq, toSeq: head };
    // The backfill replays what lies below the live lane's frontier; from there on the live lane has sent nothing yet.
    const throughSeq = Math.min(head, this.live.frontier - 1);
    if (this.session !== undefined) this.session.replay(fromSeq - 1, throughSeq);
    else
      this.pendingReplay = { afterSeq: Math.min(this.pendingReplay?.afterSeq ?? fromSeq - 1, fromSeq - 1), throughSeq };
    logger.info(
      { fromSeq, toSeq: head, connected: this.session !== undefined },
      'replaying journal entries for the center',
    );
    return { fromSeq, toSeq: head };
  }

  stats(): OutboxStats {
    const { journal, clock } = this.options;
    const head = journal.head();
    const cursor = journal.syncCursor();
    const ackedSeq = cursor?.seq ?? 0;
    return {
      headSeq: head.seq,
      headHash: head.hash,
      ackedSeq,
      ackedHash: cursor?.hash ?? null,
      sentSeq: this.sentSeq,
      backlogEvents: Math.max(0, head.seq - ackedSeq),
      oldestUnsentAgeSeconds: entryAgeSeconds(journal.read(ackedSeq, 1)[0], clock.read(), journal.db),
      lastAckMonoMs: this.lastAck?.monoMs ?? null,
      lastAckCenterTimeMs: this.lastAck?.centerTimeMs ?? null,
      ...this.sender.counters,
    };
  }

  /** A daemon restarted within the same boot still knows the center's time from the stored cursor. */
  private seedFromCursor(): void {
    const cursor = this.options.journal.syncCursor();
    const reading = this.options.clock.read();
    if (cursor?.centerTimeMs === undefined || cursor.recordedBootId !== reading.bootId) return;
    const monoMs = this.now() - (reading.monoMs - cursor.recordedMonoMs);
    this.lastAck = { monoMs, centerTimeMs: cursor.centerTimeMs };
    this.centerClock.observe(cursor.centerTimeMs, monoMs);
  }

  private onUp(link: LinkSession): void {
    this.endSession('a new connection');
    const session = new OutboxSession(link, this.options.journal.syncCursor()?.seq ?? 0);
    if (this.pendingReplay !== undefined) session.replay(this.pendingReplay.afterSeq, this.pendingReplay.throughSeq);
    this.pendingReplay = undefined;
    this.session = session;
    this.rewind.connected();
    this.options.logger.info(
      { fromSeq: session.backfillPos + 1, headSeq: this.options.journal.head().seq, window: link.window },
      'sending the journal from the sync cursor',
    );
    this.live.flush(session);
    this.backfillRun = this.backfill.run(session);
  }

  private endSession(reason: string): void {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    this.live.cancel();
    session.end(new AgentError(ErrorCode.OutboxInterrupted, `the outbox stopped sending: ${reason}`));
  }

  /** Seqs up to `toSeq` left this connection: the center's ack for them is awaited (RewindTimer). */
  private awaitAck(session: OutboxSession, toSeq: number): void {
    session.sentSeq = Math.max(session.sentSeq, toSeq);
    if (session === this.session)
      this.rewind.sent(session.sentSeq, this.options.journal.syncCursor()?.seq ?? 0, this.now());
  }

  private tick(): void {
    const session = this.session;
    if (session === undefined) return;
    const now = this.now();
    if (!this.rewind.due(now)) {
      // Entries committed without a bus event (another process) are not left waiting for the next connection.
      this.live.flush(session);
      return;
    }
    try {
      const cursorSeq = this.options.journal.syncCursor()?.seq ?? 0;
      this.options.logger.info(
        { fromSeq: cursorSeq + 1, sentSeq: session.sentSeq, waitedMs: this.rewind.waitMs },
        'the center has not acknowledged what the broker took; probing with one batch from the sync cursor',
      );
      this.rewind.rewound(now);
      session.rewindTo(cursorSeq, true);
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not read the sync cursor to send again from it');
    }
  }
}
