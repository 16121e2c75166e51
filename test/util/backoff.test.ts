import { describe, expect, it } from 'vitest';
import { backoffDelay, validateBackoffPolicy, type BackoffPolicy } from '../../src/util/backoff.js';
import { seededRandom as seeded } from '../helpers/seededRandom.js';

const policy: BackoffPolicy = { minMs: 500, maxMs: 30_000, jitter: 0 };

describe('backoffDelay', () => {
  it('doubles from minMs and stops at maxMs when there is no jitter', () => {
    const delays = Array.from({ length: 10 }, (_, attempt) => backoffDelay(attempt, policy));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('stays at maxMs for any number of failures (retrying forever)', () => {
    expect(backoffDelay(5000, policy)).toBe(30_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, policy)).toBe(30_000);
  });

  it('spreads jittered delays over [(1 − jitter)·d, d], the same for the same seed', () => {
    const jittered = { ...policy, jitter: 0.5 };
    const first = Array.from({ length: 200 }, (_, i) => backoffDelay(i % 8, jittered, seeded(7)));
    const again = Array.from({ length: 200 }, (_, i) => backoffDelay(i % 8, jittered, seeded(7)));
    expect(first).toEqual(again);

    const random = seeded(42);
    const samples = Array.from({ length: 1000 }, () => backoffDelay(3, jittered, random));
    for (const delay of samples) {
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
    // Really spread, not stuck at one end.
    expect(Math.min(...samples)).toBeLessThan(2200);
    expect(Math.max(...samples)).toBeGreaterThan(3800);
  });

  it('never exceeds maxMs even with jitter', () => {
    const random = seeded(1);
    for (let attempt = 0; attempt < 50; attempt += 1) {
      expect(backoffDelay(attempt, { ...policy, jitter: 1 }, random)).toBeLessThanOrEqual(30_000);
    }
  });

  it('uses the extremes of the random source as documented', () => {
    expect(backoffDelay(0, { ...policy, jitter: 0.2 }, () => 0)).toBe(500);
    expect(backoffDelay(0, { ...policy, jitter: 0.2 }, () => 0.999999)).toBe(400);
  });

  it('rejects nonsense with a message naming the field', () => {
    expect(() => validateBackoffPolicy({ minMs: 0, maxMs: 10, jitter: 0 })).toThrow(/minMs/);
    expect(() => validateBackoffPolicy({ minMs: 100, maxMs: 10, jitter: 0 })).toThrow(/maxMs/);
    expect(() => validateBackoffPolicy({ minMs: 1, maxMs: 10, jitter: 1.5 })).toThrow(/jitter/);
    expect(() => validateBackoffPolicy({ minMs: 1, maxMs: 10, jitter: Number.NaN })).toThrow(/jitter/);
    expect(() => backoffDelay(-1, policy)).toThrow(/attempt/);
    expect(() => backoffDelay(1.5, policy)).toThrow(/attempt/);
  });
});
