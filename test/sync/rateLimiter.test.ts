import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ByteRateLimiter } from '../../src/sync/rateLimiter.js';

/** Time is fake: the limiter's clock and its timers move only when the test advances them. */
describe('the shared byte-rate limiter', () => {
  let limiter: ByteRateLimiter;
  const start = Date.now();
  const elapsed = (): number => Date.now() - start;
  /** Resolves to the fake time at which `promise` resolved. */
  const when = (promise: Promise<void>): Promise<number> => promise.then(() => elapsed());

  beforeEach(() => {
    vi.useFakeTimers({ now: start });
    limiter = new ByteRateLimiter(1000, () => Date.now());
  });

  afterEach(() => {
    limiter.close(new Error('test over'));
    vi.useRealTimers();
  });

  /** Asks for each of `sizes` in turn at once, lets `ms` of fake time pass, and says when each was granted. */
  const grantTimes = async (sizes: number[], ms: number): Promise<number[]> => {
    const granted = sizes.map((bytes) => when(limiter.take(bytes)));
    await vi.advanceTimersByTimeAsync(ms);
    return Promise.all(granted);
  };

  it('lets one second worth go at once, then as the bytes accrue', async () => {
    expect(await grantTimes([600, 600], 1000)).toEqual([0, 200]);
  });

  it('serves waiters in order: a small request does not overtake a large one', async () => {
    await limiter.take(900);
    expect(await grantTimes([500, 50], 2000)).toEqual([400, 450]);
  });

  it('lets a request larger than the burst go once the bucket is full, and makes the next wait for the debt', async () => {
    expect(await grantTimes([3000, 100], 5000)).toEqual([0, 2100]);
  });

  it('makes takers wait for bytes charged by the live lane', async () => {
    limiter.charge(1500);
    expect(await grantTimes([100], 2000)).toEqual([600]);
  });

  it('holds the long-run rate to the cap', async () => {
    let done = 0;
    const all = (async () => {
      for (let i = 0; i < 40; i++) {
        await limiter.take(250);
        done = elapsed();
      }
    })();
    await vi.advanceTimersByTimeAsync(20_000);
    await all;
    // 10,000 bytes at 1,000 B/s, the first 1,000 from the initial burst.
    expect(done).toBeGreaterThanOrEqual(9000);
    expect(done).toBeLessThanOrEqual(9050);
  });

  it('rejects an aborted take with the reason, and serves the waiter behind it without waiting for its turn', async () => {
    await limiter.take(1000);
    const controller = new AbortController();
    const reason = new Error('link down');
    const head = limiter.take(1000, controller.signal);
    const behind = when(limiter.take(100));
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(reason);
    await expect(head).rejects.toBe(reason);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await behind).toBe(100);
  });

  it('refuses a take on an already aborted signal with a rejected promise, not a throw', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    let promise: Promise<void> | undefined;
    expect(() => (promise = limiter.take(10, controller.signal))).not.toThrow();
    await expect(promise).rejects.toThrow('stopped');
  });

  it('leaves no listener on a long-lived signal once a take is served', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 5; i++) {
      const taken = limiter.take(400, controller.signal);
      await vi.advanceTimersByTimeAsync(1000);
      await taken;
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects every waiter on close', async () => {
    await limiter.take(1000);
    const waiting = [limiter.take(10), limiter.take(20)];
    limiter.close(new Error('sync stopped'));
    for (const promise of waiting) await expect(promise).rejects.toThrow('sync stopped');
  });

  it('never waits without a cap', async () => {
    const uncapped = new ByteRateLimiter(0, () => Date.now());
    expect(uncapped.capped).toBe(false);
    uncapped.charge(1_000_000);
    expect(await when(uncapped.take(1_000_000))).toBe(0);
  });
});

/** The rate changed while takers wait (a camera push went live or ended): fake time again. */
describe('the byte-rate limiter at a changed rate', () => {
  const start = Date.now();
  const elapsed = (): number => Date.now() - start;
  const when = (promise: Promise<void>): Promise<number> => promise.then(() => elapsed());
  const limiters: ByteRateLimiter[] = [];
  const limiter = (bytesPerSecond: number): ByteRateLimiter => {
    const made = new ByteRateLimiter(bytesPerSecond, () => Date.now());
    limiters.push(made);
    return made;
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: start });
  });

  afterEach(() => {
    for (const made of limiters.splice(0)) made.close(new Error('test over'));
    vi.useRealTimers();
  });

  it('times a waiter again at a lower rate: the bytes accrued before the change count at the old rate', async () => {
    const bucket = limiter(1000);
    await bucket.take(1000);
    // At 1,000 B/s this waiter would go at 300 ms.
    const granted = when(bucket.take(300));
    // 100 bytes accrue at 1,000 B/s; the other 200 then take half a second at 400 B/s.
    await vi.advanceTimersByTimeAsync(100);
    bucket.setRate(400);
    expect(bucket.rate).toBe(400);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await granted).toBe(600);
  });

  it('serves a waiter sooner at a higher rate, not at the time set for the old one', async () => {
    const bucket = limiter(100);
    await bucket.take(100);
    // At 100 B/s this waiter would go at 1,000 ms.
    const granted = when(bucket.take(100));
    await vi.advanceTimersByTimeAsync(100);
    bucket.setRate(1000);
    await vi.advanceTimersByTimeAsync(2000);
    // 10 bytes accrued at the old rate, 90 more at 1,000 B/s.
    expect(await granted).toBe(190);
  });

  it('keeps the waiters in order across a change', async () => {
    const bucket = limiter(1000);
    await bucket.take(1000);
    const granted = [when(bucket.take(400)), when(bucket.take(50)), when(bucket.take(400))];
    bucket.setRate(2000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await Promise.all(granted)).toEqual([200, 225, 425]);
  });

  it('shrinks the burst with the rate', async () => {
    const bucket = limiter(10_000);
    bucket.setRate(1000);
    const granted = [when(bucket.take(1000)), when(bucket.take(1000))];
    await vi.advanceTimersByTimeAsync(2000);
    expect(await Promise.all(granted)).toEqual([0, 1000]);
  });

  it('lets every waiter go at once when the cap is lifted, and takes after it at once', async () => {
    const bucket = limiter(1000);
    await bucket.take(1000);
    const granted = [when(bucket.take(5000)), when(bucket.take(5000))];
    await vi.advanceTimersByTimeAsync(100);
    bucket.setRate(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(await Promise.all(granted)).toEqual([100, 100]);
    expect(await when(bucket.take(1_000_000))).toBe(100);
  });

  it('starts a cap put on an uncapped limiter from an empty bucket: the uncapped sending just filled the link', async () => {
    const bucket = limiter(0);
    await bucket.take(1_000_000);
    bucket.setRate(1000);
    expect(bucket.capped).toBe(true);
    const granted = [when(bucket.take(500)), when(bucket.take(500))];
    await vi.advanceTimersByTimeAsync(2000);
    expect(await Promise.all(granted)).toEqual([500, 1000]);
  });

  it('keeps a debt charged by the live lane across a change', async () => {
    const bucket = limiter(1000);
    bucket.charge(3000);
    // 2,000 bytes of debt, repaid at the new rate of 4,000 B/s, then 100 more.
    bucket.setRate(4000);
    const granted = when(bucket.take(100));
    await vi.advanceTimersByTimeAsync(2000);
    expect(await granted).toBe(525);
  });
});
