import type { LinkSession } from '../link/types.js';

/** Resolves waiters on notify() or when their signal aborts; a waiter re-checks its condition after. */
export class Wakeup {
  private readonly waiters = new Set<() => void>();

  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}

export interface SeqRange {
  from: number;
  to: number;
}

/** Disjoint seq ranges, ascending, adjacent ones merged. */
export class SeqRanges {
  private ranges: SeqRange[] = [];

  add(from: number, to: number): void {
    const merged: SeqRange[] = [];
    let adding = { from, to };
    for (const range of this.ranges) {
      if (range.to + 1 < adding.from || adding.to + 1 < range.from) merged.push(range);
      else adding = { from: Math.min(range.from, adding.from), to: Math.max(range.to, adding.to) };
    }
    merged.push(adding);
    this.ranges = merged.sort((a, b) => a.from - b.from);
  }

  covering(seq: number): SeqRange | undefined {
    return this.ranges.find((range) => range.from <= seq && seq <= range.to);
  }

  /** Where the first range above `seq` starts. */
  nextStartAfter(seq: number): number | undefined {
    return this.ranges.find((range) => range.from > seq)?.from;
  }

  /** Forgets what lies at or below `seq` (the center has it). */
  dropThrough(seq: number): void {
    this.ranges = this.ranges.filter((range) => range.to > seq);
  }

  clear(): void {
    this.ranges = [];
  }
}

export type Lane = 'live' | 'backfill';

/**
 * What the outbox keeps for one connection, all of it re-derivable: it starts from the sync
 * cursor at every 'up' and is dropped at 'down'. Nothing here outlives the connection.
 */
export class OutboxSession {
  private readonly controller = new AbortController();
  readonly wake = new Wakeup();
  /** Seqs the live lane sent on this connection: the backfill skips them until a rewind. */
  readonly liveSent = new SeqRanges();
  /** Bumped by a rewind or a replay: a backfill batch read before it is dropped, not sent. */
  epoch = 0;
  /** Highest seq the backfill has read for sending. */
  backfillPos: number;
  /** A replay asked for seqs up to here: until the backfill passed it, acks do not move it ahead. */
  private replayThrough = 0;
  /** Highest seq sent on this connection (acknowledged by the broker, or refused by it) that the center's ack must cover. */
  sentSeq = 0;
  /**
   * Set by a rewind: the backfill sends one batch past this seq as a probe and waits for the
   * cursor to move before it sends the rest again. Batches the broker lost then cost one round
   * trip more; a center that is merely slow, overloaded or down is not sent the whole backlog
   * again through a metered uplink (the center's ack after the probe skips what it already has).
   */
  private probeAfter: number | undefined;
  /** Batches handed to the link and not settled yet, per lane. */
  readonly outstanding: Record<Lane, number> = { live: 0, backfill: 0 };

  constructor(
    readonly link: LinkSession,
    startAfterSeq: number,
  ) {
    this.backfillPos = startAfterSeq;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The backfill sends everything after `afterSeq` again, live-sent or not; with `probe`, one batch until an ack. */
  rewindTo(afterSeq: number, probe = false): void {
    this.epoch += 1;
    this.backfillPos = afterSeq;
    this.probeAfter = probe ? afterSeq : undefined;
    this.liveSent.clear();
    this.wake.notify();
  }

  /** The probe batch went out: the backfill waits for the center's acknowledgement. */
  get probeSent(): boolean {
    return this.probeAfter !== undefined && this.backfillPos > this.probeAfter;
  }

  /** The center's replay: everything after `afterSeq` again, at least up to `throughSeq`, even what it acknowledged. */
  replay(afterSeq: number, throughSeq: number): void {
    this.rewindTo(Math.min(this.backfillPos, afterSeq));
    this.replayThrough = Math.max(this.replayThrough, throughSeq);
  }

  /**
   * The center holds everything up to `seq`. The backfill skips ahead to it: after a reconnect
   * the broker often still delivers batches of the previous connection, and the center's acks
   * for them overtake a backfill that started again from the cursor.
   */
  acknowledged(seq: number): void {
    this.liveSent.dropThrough(seq);
    if (this.probeAfter !== undefined) {
      this.probeAfter = undefined;
      this.wake.notify();
    }
    if (this.backfillPos >= this.replayThrough && this.backfillPos < seq) this.backfillPos = seq;
  }

  end(reason: Error): void {
    this.controller.abort(reason);
    this.wake.notify();
  }
}
