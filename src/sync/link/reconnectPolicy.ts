import { backoffDelay, type RandomSource } from '../../util/backoff.js';

export interface ReconnectSettings {
  /** county.reconnectMinMs: the shortest delay, and the base of the doubling. */
  minMs: number;
  /** county.reconnectMaxMs: the cap. */
  maxMs: number;
  /** A connection that stayed up this long resets the backoff; a shorter one counts as a failure. */
  stableMs: number;
}

/** A connection must stay up this long before the backoff starts again from the minimum. */
export const STABLE_CONNECTION_MS = 30_000;

/**
 * Delays between connection attempts: capped exponential backoff with jitter, spread uniformly
 * over [minMs, min(maxMs, minMs·2^(n+1))] for the n-th retry. The spread starts at the first
 * retry, so 500 rooms dropped by one broker restart do not come back in the same instant, and
 * the floor keeps a room from retrying in a tight loop. Only a connection that stayed up
 * (stableMs) resets the count: a broker that accepts and then drops at once is not hammered.
 */
export class ReconnectPolicy {
  private failures = 0;

  constructor(
    private readonly settings: ReconnectSettings,
    private readonly random: RandomSource = Math.random,
  ) {}

  /** Consecutive attempts since the last stable connection. */
  get attempts(): number {
    return this.failures;
  }

  /** The delay before the next attempt; counts one more failure. */
  nextDelay(): number {
    const { minMs, maxMs } = this.settings;
    const policy = { minMs, maxMs: Math.max(minMs, maxMs), jitter: 0 };
    this.failures += 1;
    const ceiling = backoffDelay(this.failures, policy);
    // backoffDelay's jitter draws from [(1 − jitter)·ceiling, ceiling]; this jitter makes the floor minMs.
    return backoffDelay(this.failures, { ...policy, jitter: 1 - minMs / ceiling }, this.random);
  }

  /** A connection ended after `upMs` (undefined: it never came up). */
  connectionEnded(upMs: number | undefined): void {
    if (upMs !== undefined && upMs >= this.settings.stableMs) this.failures = 0;
  }
}
