import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log.js';
import type { ByteRateLimiter } from '../rateLimiter.js';
import type { Batcher } from './batcher.js';
import type { BatchSender } from './sender.js';
import type { OutboxSession } from './session.js';

/**
 * Batches prepared beyond the link's in-flight window: enough that a PUBACK always finds the
 * next batch waiting, few enough that a week of backlog is never read into memory.
 */
export const PREPARED_AHEAD = 2;

const RETRY_MS = 1000;

/**
 * The backlog lane of one connection: reads the journal upward from the session's position
 * (the sync cursor at 'up'), skipping what the live lane sent, below the live lane's frontier.
 * Every batch waits for the shared byte-rate cap before it is handed to the link.
 */
export class Backfill {
  constructor(
    private readonly options: {
      batcher: Batcher;
      sender: BatchSender;
      limiter: ByteRateLimiter;
      /** The live lane's frontier: the backfill reads only below it. */
      frontier(): number;
      logger: Logger;
    },
  ) {}

  /** Runs until the session ends; never rejects. */
  async run(session: OutboxSession): Promise<void> {
    const { signal } = session;
    while (!signal.aborted) {
      try {
        await this.step(session);
      } catch (error) {
        if (signal.aborted) return;
        // A journal read or the limiter failed: the data is still in the journal, so try again shortly.
        this.options.logger.error({ err: error }, 'the backfill failed; trying again');
        await sleep(RETRY_MS, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** Prepares and sends one batch, or waits for a reason to. */
  private async step(session: OutboxSession): Promise<void> {
    const { batcher, sender, limiter } = this.options;
    const { signal } = session;
    const room = session.outstanding.backfill < session.link.window + PREPARED_AHEAD && !session.probeSent;
    const range = room ? this.nextRange(session) : undefined;
    if (range === undefined) {
      await session.wake.wait(signal);
      return;
    }
    const entries = batcher.read(range.afterSeq, range.untilSeq);
    session.backfillPos = entries.at(-1)?.seq ?? range.untilSeq;
    if (entries.length === 0) return;
    const epoch = session.epoch;
    const batch = sender.encode('backfill', entries);
    await limiter.take(batch.wireBytes, signal);
    // A rewind or replay while this batch waited: the backfill starts over, this batch would only repeat.
    if (session.epoch === epoch && !signal.aborted) sender.publish(session, batch);
  }

  /** The next stretch to read, or undefined when the backfill has caught up with the live lane. */
  private nextRange(session: OutboxSession): { afterSeq: number; untilSeq: number } | undefined {
    let afterSeq = session.backfillPos;
    for (
      let sent = session.liveSent.covering(afterSeq + 1);
      sent !== undefined;
      sent = session.liveSent.covering(afterSeq + 1)
    )
      afterSeq = sent.to;
    session.backfillPos = afterSeq;
    const untilSeq = Math.min(
      this.options.frontier() - 1,
      (session.liveSent.nextStartAfter(afterSeq) ?? Number.MAX_SAFE_INTEGER) - 1,
    );
    return untilSeq > afterSeq ? { afterSeq, untilSeq } : undefined;
  }
}
