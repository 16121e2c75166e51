import { setTimeout as sleep } from 'node:timers/promises';
import type { FingerprintScanner } from '../../drivers/scanner.js';

/**
 * Waits until the finger has left the sensor (or `signal` aborts), so that one touch counts once:
 * a finger resting on the glass would otherwise sign in again at every poll.
 */
export async function waitForLift(
  scanner: FingerprintScanner,
  pollIntervalMs: number,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted && (await scanner.fingerPresent())) {
    await sleep(pollIntervalMs, undefined, { signal }).catch(() => undefined);
  }
}
