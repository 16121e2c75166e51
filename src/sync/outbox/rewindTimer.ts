/** After each rewind that brought no acknowledgement, the wait doubles, up to this many times. */
export const MAX_REWIND_DOUBLINGS = 4;

/**
 * Decides when what was sent must be sent again: the broker took batches beyond the sync cursor
 * (PUBACK), yet the center's acknowledgement has not moved for the timeout. The broker or the
 * center may have lost them (brokers persist lazily). The wait doubles while rewinds bring
 * nothing (a center that is down should not be flooded with the same backlog), and is back to
 * the timeout as soon as the cursor moves.
 */
export class RewindTimer {
  private since: number | undefined;
  private misses = 0;

  constructor(private readonly timeoutMs: number) {}

  /** Seqs up to `sentSeq` were sent (the broker took them, or refused one) while the cursor is at `ackedSeq`. */
  sent(sentSeq: number, ackedSeq: number, now: number): void {
    if (sentSeq > ackedSeq && this.since === undefined) this.since = now;
  }

  /** The cursor moved to `ackedSeq`. */
  acked(sentSeq: number, ackedSeq: number, now: number): void {
    this.misses = 0;
    this.since = sentSeq > ackedSeq ? now : undefined;
  }

  /** A new connection starts from the cursor anyway. */
  connected(): void {
    this.since = undefined;
  }

  /** The current wait: the timeout, doubled per rewind that brought no acknowledgement. */
  get waitMs(): number {
    return this.timeoutMs * 2 ** Math.min(this.misses, MAX_REWIND_DOUBLINGS);
  }

  due(now: number): boolean {
    return this.since !== undefined && now - this.since >= this.waitMs;
  }

  rewound(now: number): void {
    this.misses += 1;
    this.since = now;
  }
}
