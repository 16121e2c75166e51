/**
 * One byte-rate cap shared by the backlog and file uploads (county.backfillBytesPerSecond): the
 * agent cannot know the uplink's capacity, so the county sets what a room may take of it. A
 * token bucket with a burst of one second's worth; a request larger than the burst waits until
 * the bucket is full and then takes it all (going into debt), so the long-run rate holds.
 * Live sign-ins do not wait, but `charge` their bytes so the total stays near the cap. The rate
 * may change while it runs (setRate: a live camera push takes part of the uplink).
 */
export class ByteRateLimiter {
  private tokens: number;
  private last: number;
  private readonly waiters: Array<{ bytes: number; resolve: () => void; reject: (error: Error) => void }> = [];
  private timer: NodeJS.Timeout | undefined;

  /** bytesPerSecond 0 means no cap. `now` returns monotonic ms (tests may pass their own). */
  constructor(
    private bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = bytesPerSecond;
    this.last = now();
  }

  get capped(): boolean {
    return this.bytesPerSecond > 0;
  }

  /** The rate now, bytes/s; 0 = no cap. */
  get rate(): number {
    return this.bytesPerSecond;
  }

  /**
   * Changes the rate from now on (0 = no cap). What accrued so far accrued at the old rate; the
   * burst shrinks with a lower rate, a debt stays a debt. Waiters keep their order and are timed
   * again at the new rate; without a cap they all go at once.
   */
  setRate(bytesPerSecond: number): void {
    if (bytesPerSecond === this.bytesPerSecond) return;
    if (this.capped) this.refill();
    else {
      // Nothing was counted without a cap, and what was sent uncapped just filled the link:
      // the bucket starts empty.
      this.tokens = 0;
      this.last = this.now();
    }
    this.bytesPerSecond = bytesPerSecond;
    this.tokens = Math.min(this.tokens, bytesPerSecond);
    if (this.capped) {
      this.reschedule();
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /** Resolves when `bytes` may be sent; rejects with the signal's reason when aborted. Served in order. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (!this.capped) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      // The listener goes when the waiter is served: one long-lived signal serves many takes.
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal!.reason as Error);
        // The head may have changed: the timer set for the old one may wait too long.
        this.reschedule();
      };
      const waiter = {
        bytes,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.schedule();
    });
  }

  /** Counts bytes that were sent without waiting (live events): later takers wait for them. */
  charge(bytes: number): void {
    if (!this.capped) return;
    this.refill();
    this.tokens -= bytes;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.bytesPerSecond, this.tokens + ((now - this.last) * this.bytesPerSecond) / 1000);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.refill();
    while (this.waiters.length > 0) {
      const head = this.waiters[0]!;
      const needed = Math.min(head.bytes, this.bytesPerSecond);
      if (this.tokens < needed) break;
      this.waiters.shift();
      this.tokens -= head.bytes;
      head.resolve();
    }
    const head = this.waiters[0];
    if (head === undefined) return;
    const deficit = Math.min(head.bytes, this.bytesPerSecond) - this.tokens;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.schedule();
      },
      Math.max(1, Math.ceil((deficit * 1000) / this.bytesPerSecond)),
    );
  }

  private reschedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule();
  }

  /** Rejects every waiter (service stop). */
  close(reason: Error): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
  }
}
