import type { Journal } from '../../journal/journal.js';
import type { Logger } from '../../log.js';
import type { ByteRateLimiter } from '../rateLimiter.js';
import type { Batcher } from './batcher.js';
import type { BatchSender } from './sender.js';
import type { OutboxSession } from './session.js';

/** Appends within this many ms go out as one batch (a sign-in commits several entries at once). */
export const LIVE_COALESCE_MS = 5;

/**
 * Fresh entries go out at once, ahead of any backlog and without waiting for the byte-rate cap
 * (their bytes are charged to it, so file uploads and the backfill make room). "Fresh" is bounded:
 * when more than `maxPending` entries wait (a bulk import, a long outage), they are handed to the
 * backfill, which sends them under the cap. The lane owns seqs from `frontier` up; the backfill
 * reads only below it.
 */
export class LiveLane {
  private next = 1;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      journal: Pick<Journal, 'head'>;
      batcher: Batcher;
      sender: BatchSender;
      limiter: ByteRateLimiter;
      maxPending: number;
      logger: Logger;
    },
  ) {}

  /** The lowest seq the live lane will send; everything below is the backfill's. */
  get frontier(): number {
    return this.next;
  }

  /** An entry was committed: send it (with whatever follows within a few ms) when connected. */
  appended(session: OutboxSession | undefined): void {
    if (session === undefined || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush(session);
    }, LIVE_COALESCE_MS);
  }

  /** Sends what is fresh now: at a new connection, after a live batch settled, and on the outbox's tick. */
  flush(session: OutboxSession): void {
    if (session.signal.aborted) return;
    try {
      this.send(session);
    } catch (error) {
      // Called from timers: a journal that cannot be read must not crash the daemon. The next flush tries again.
      this.options.logger.error({ err: error }, 'could not send fresh journal entries');
    }
  }

  /** Where the live lane starts: after the head when the outbox starts (older entries are the backfill's). */
  startAfter(seq: number): void {
    this.next = seq + 1;
  }

  private send(session: OutboxSession): void {
    const head = this.options.journal.head().seq;
    const pending = head - this.next + 1;
    if (pending <= 0) return;
    if (pending > this.options.maxPending) {
      this.options.logger.debug(
        { fromSeq: this.next, toSeq: head },
        'too many fresh entries for the live lane; the backfill sends them',
      );
      this.handOver(session, head);
      return;
    }
    while (this.next <= head && session.outstanding.live < session.link.window) {
      const entries = this.options.batcher.read(this.next - 1, head);
      const last = entries.at(-1);
      if (last === undefined) {
        this.handOver(session, head);
        return;
      }
      const batch = this.options.sender.encode('live', entries);
      this.options.limiter.charge(batch.wireBytes);
      session.liveSent.add(batch.fromSeq, batch.toSeq);
      this.next = last.seq + 1;
      this.options.sender.publish(session, batch);
    }
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private handOver(session: OutboxSession, head: number): void {
    this.next = head + 1;
    session.wake.notify();
  }
}
