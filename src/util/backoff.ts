/**
 * Reconnect delays for a supervisor that retries forever: exponential from minMs, capped at maxMs,
 * with jitter so agents in one village that lost power together do not retry in lockstep.
 */
export interface BackoffPolicy {
  /** Delay before the first retry (attempt 0), in ms; > 0. */
  readonly minMs: number;
  /** Cap on any delay, in ms; ≥ minMs. */
  readonly maxMs: number;
  /** Fraction of the delay that is randomised, 0…1: the delay falls in [(1 − jitter)·d, d]. */
  readonly jitter: number;
}

/** A random number in [0, 1), as Math.random; tests pass a seeded one. */
export type RandomSource = () => number;

export function validateBackoffPolicy(policy: BackoffPolicy): BackoffPolicy {
  const { minMs, maxMs, jitter } = policy;
  if (!(Number.isFinite(minMs) && minMs > 0)) {
    throw new RangeError(`backoff minMs must be a positive number of milliseconds, got ${minMs}`);
  }
  if (!(Number.isFinite(maxMs) && maxMs >= minMs)) {
    throw new RangeError(`backoff maxMs must be at least minMs (${minMs}), got ${maxMs}`);
  }
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new RangeError(`backoff jitter must be a fraction between 0 and 1, got ${jitter}`);
  }
  return policy;
}

/** The delay before retry number `attempt` (0 for the first retry after a failure). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: RandomSource = Math.random): number {
  if (!(Number.isInteger(attempt) && attempt >= 0)) {
    throw new RangeError(`backoff attempt must be a whole number ≥ 0, got ${attempt}`);
  }
  const { minMs, maxMs, jitter } = validateBackoffPolicy(policy);
  // 2 ** attempt becomes Infinity after ~1000 failures; the cap absorbs it.
  const ceiling = Math.min(maxMs, minMs * 2 ** attempt);
  return Math.round(ceiling * (1 - jitter * random()));
}
