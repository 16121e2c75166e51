import type { ClockReader } from '../clock/types.js';
import type { EventBus } from '../daemon/bus.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log.js';

/**
 * What a camera service that follows the running activity and journals what its ffmpeg runs
 * made (the meeting photos, the recordings) needs of the agent. `A` is what it reads of the
 * activity: each service asks only for the fields it acts on.
 */
export interface ActivityMediaOptions<A> {
  /** Ends the ffmpeg runs an earlier agent left running (it was killed mid-run), before any new one. */
  endLeftovers(): Promise<unknown>;
  activities: { current(): A | undefined };
  journal: Pick<Journal, 'transaction' | 'db'>;
  clock: ClockReader;
  bus: EventBus;
  logger: Logger;
}
