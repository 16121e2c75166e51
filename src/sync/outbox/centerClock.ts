import { monotonicMs } from '../../clock/systemClock.js';

/**
 * The county center's wall time as this device last learned it (from a CenterAck), carried
 * forward on the local monotonic clock. Commands judge expiry against it and never against the
 * device's own wall clock, which may be wrong for days after a power cut.
 */
export class CenterClock {
  private last: { centerTimeMs: number; monoMs: number } | undefined;

  /** `now` returns monotonic ms on the same scale as the `monoMs` passed to observe(). */
  constructor(private readonly monoNow: () => number = monotonicMs) {}

  /** The center said it was `centerTimeMs` at local monotonic `monoMs`; an observation older than the last is ignored. */
  observe(centerTimeMs: number, monoMs: number): void {
    if (!Number.isFinite(centerTimeMs) || !Number.isFinite(monoMs)) return;
    if (this.last !== undefined && monoMs < this.last.monoMs) return;
    this.last = { centerTimeMs, monoMs };
  }

  /** The center's wall time now, ms since the epoch; undefined until the center has been heard. */
  now(): number | undefined {
    if (this.last === undefined) return undefined;
    return this.last.centerTimeMs + (this.monoNow() - this.last.monoMs);
  }
}
