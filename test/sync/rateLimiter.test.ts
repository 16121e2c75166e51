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
