import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { JournalEntry } from '../../journal/types.js';
import type { MessageProperties } from '../link/types.js';
import { eventBatchSchema, PROTOCOL_VERSION, type EventBatch } from './messages.js';

/**
 * Event batches travel as raw-deflate JSON: journal entries are repetitive (hashes aside), so
 * compression cuts bytes on a metered 4G link to a fraction. The encoding is announced in the
 * MQTT 5 properties, so a county tool can read a batch without knowing this code.
 */
export const EVENT_BATCH_PROPERTIES: MessageProperties = {
  contentType: 'application/json',
  userProperties: { 'content-encoding': 'deflate', schema: `room-agent/events/${PROTOCOL_VERSION}` },
};

/** The largest inflated batch a reader accepts: a "deflate bomb" is refused, not expanded. */
export const MAX_INFLATED_BATCH_BYTES = 16 * 1024 * 1024;

export function encodeEventBatch(deviceId: string, lane: EventBatch['lane'], entries: readonly JournalEntry[]): Buffer {
  const first = entries[0];
  const last = entries.at(-1);
  if (first === undefined || last === undefined) throw new RangeError('an event batch needs at least one entry');
  const batch: EventBatch = { v: PROTOCOL_VERSION, deviceId, lane, fromSeq: first.seq, toSeq: last.seq, entries: entries as JournalEntry[] };
  return deflateRawSync(Buffer.from(JSON.stringify(batch)), { level: 6 });
}

export class BatchDecodeError extends Error {}

/** Inflates and validates; throws BatchDecodeError saying what was wrong. */
export function decodeEventBatch(payload: Buffer, properties: MessageProperties): EventBatch {
  const encoding = properties.userProperties?.['content-encoding'];
  let text: string;
  try {
    text = (encoding === 'deflate' ? inflateRawSync(payload, { maxOutputLength: MAX_INFLATED_BATCH_BYTES }) : payload).toString('utf8');
  } catch (error) {
    throw new BatchDecodeError(`event batch does not inflate: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BatchDecodeError(`event batch is not JSON: ${(error as Error).message}`);
  }
  const parsed = eventBatchSchema.safeParse(json);
  if (!parsed.success) {
    throw new BatchDecodeError(`event batch is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'batch'}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}
