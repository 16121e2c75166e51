import type { JournalEntry } from '../../journal/types.js';
import type { Logger } from '../../log.js';
import { LinkDownError } from '../link/errors.js';
import { publishPacketBytes } from '../link/publishPacket.js';
import type { Link, PublishRequest } from '../link/types.js';
import { encodeEventBatch, EVENT_BATCH_PROPERTIES } from '../protocol/eventBatch.js';
import type { Lane, OutboxSession } from './session.js';

export interface EncodedBatch {
  readonly lane: Lane;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly request: PublishRequest;
  /** The whole PUBLISH packet: what the byte-rate cap counts. */
  readonly wireBytes: number;
}

export interface SendCounters {
  /** Bytes on the wire (payload and packet) of batches the broker acknowledged. */
  bytesSent: number;
  eventsSent: number;
  batchesSent: number;
}

/**
 * Encodes batches and hands them to the link, QoS 1. A PUBACK only says the broker has the
 * batch: it counts as sent, never as delivered (only the center's ack moves the cursor). A
 * failed publish needs no retry here: the seqs are still after the cursor and go out again.
 */
export class BatchSender {
  readonly counters: SendCounters = { bytesSent: 0, eventsSent: 0, batchesSent: 0 };

  constructor(
    private readonly options: {
      link: Link;
      topic: string;
      deviceId: string;
      logger: Logger;
      /** The broker acknowledged the batch on this session. */
      onPuback(session: OutboxSession, batch: EncodedBatch): void;
      /** The broker refused the batch (or it could not be sent at all) while the session went on. */
      onRefused(session: OutboxSession, batch: EncodedBatch): void;
      /** A batch of this session settled either way: its slot is free. */
      onSettled(session: OutboxSession, lane: Lane): void;
    },
  ) {}

  encode(lane: Lane, entries: readonly JournalEntry[]): EncodedBatch {
    const payload = encodeEventBatch(this.options.deviceId, lane, entries);
    const request: PublishRequest = {
      topic: this.options.topic,
      payload,
      qos: 1,
      priority: lane,
      properties: EVENT_BATCH_PROPERTIES,
    };
    return {
      lane,
      fromSeq: entries[0]!.seq,
      toSeq: entries.at(-1)!.seq,
      request,
      wireBytes: publishPacketBytes(request),
    };
  }

  publish(session: OutboxSession, batch: EncodedBatch): void {
    const { link, logger } = this.options;
    session.outstanding[batch.lane] += 1;
    // Through a promise so that even a synchronous throw settles the batch and frees its slot.
    void Promise.resolve()
      .then(() => link.publish(batch.request))
      .then(
        () => {
          this.counters.bytesSent += batch.wireBytes;
          this.counters.eventsSent += batch.toSeq - batch.fromSeq + 1;
          this.counters.batchesSent += 1;
          this.options.onPuback(session, batch);
        },
        (error: unknown) => {
          const context = { lane: batch.lane, fromSeq: batch.fromSeq, toSeq: batch.toSeq, err: error };
          if (error instanceof LinkDownError || session.signal.aborted) {
            logger.debug(context, 'event batch not acknowledged by the broker before the link went down');
            return;
          }
          logger.warn(context, 'the broker did not take an event batch; it is sent again from the sync cursor');
          this.options.onRefused(session, batch);
        },
      )
      .finally(() => {
        session.outstanding[batch.lane] -= 1;
        this.options.onSettled(session, batch.lane);
      })
      .catch((error: unknown) => logger.error({ err: error }, 'internal fault after an event batch settled'));
  }
}
