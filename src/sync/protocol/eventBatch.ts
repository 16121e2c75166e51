import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { entryHash } from '../../journal/canonical.js';
import { recordedContent } from '../../journal/gap.js';
import { GENESIS_HASH, type EntryContent, type JournalEntry, type JsonValue } from '../../journal/types.js';
import { nestsDeeperThan } from '../../util/jsonDepth.js';
import type { MessageProperties } from '../link/types.js';
import {
  MESSAGE_VERSIONS,
  receivedEventBatchSchema,
  type ReceivedEventBatch,
  type WireEntry,
  type WireEventBatch,
} from './messages.js';

/**
 * Event batches travel as raw-deflate JSON: journal entries are repetitive (signatures and ids
 * aside; the chain's hashes are not sent at all, see messages.ts wireEntrySchema), so compression
 * cuts bytes on a metered 4G link to a fraction. The encoding is announced in the
 * MQTT 5 properties, so a county tool can read a batch without knowing this code.
 */
export const EVENT_BATCH_PROPERTIES: MessageProperties = {
  contentType: 'application/json',
  userProperties: { 'content-encoding': 'deflate', schema: `room-agent/events/${MESSAGE_VERSIONS.events}` },
};

/** The largest inflated batch a reader accepts: a "deflate bomb" is refused, not expanded. */
export const MAX_INFLATED_BATCH_BYTES = 16 * 1024 * 1024;

/**
 * The deepest nesting of arrays and objects a batch may have: the batch, its entries and an entry
 * leave payloads well over 50 levels. Deeper is refused before anything that recurses (the schema,
 * canonical JSON) can overflow the stack.
 */
export const MAX_BATCH_NESTING = 64;

/**
 * A batch as read (of this version or the previous one, fields a later release adds dropped): the
 * wire batch with its entries rebuilt into whole journal entries, hashes recomputed.
 */
export type EventBatch = Omit<ReceivedEventBatch, 'entries'> & { entries: JournalEntry[] };

/** An entry as it goes in a batch: its seq, prevHash and hash are implicit (messages.ts wireEntrySchema). */
function wireEntry(entry: JournalEntry): WireEntry {
  return { ...recordedContent(entry), keyId: entry.keyId, signature: entry.signature };
}

/** JSON bytes an entry adds to a batch before compression, the separating comma included. */
export function wireEntryBytes(entry: JournalEntry): number {
  return Buffer.byteLength(JSON.stringify(wireEntry(entry))) + 1;
}

/** JSON bytes of a batch without its entries, for the widest seqs: what every batch of this device costs besides them. */
export function batchEnvelopeBytes(deviceId: string): number {
  const widest: WireEventBatch = {
    v: MESSAGE_VERSIONS.events,
    deviceId,
    lane: 'backfill',
    fromSeq: Number.MAX_SAFE_INTEGER,
    toSeq: Number.MAX_SAFE_INTEGER,
    prevHash: GENESIS_HASH,
    entries: [],
  };
  return Buffer.byteLength(JSON.stringify(widest));
}

/** `entries` must be consecutive seqs (the batcher cuts them so): the wire numbers them by position. */
export function encodeEventBatch(deviceId: string, lane: EventBatch['lane'], entries: readonly JournalEntry[]): Buffer {
  const first = entries[0];
  const last = entries.at(-1);
  if (first === undefined || last === undefined) throw new RangeError('an event batch needs at least one entry');
  entries.forEach((entry, index) => {
    if (entry.seq !== first.seq + index)
      throw new RangeError(`an event batch holds consecutive seqs: ${entry.seq} follows ${entries[index - 1]!.seq}`);
  });
  const batch: WireEventBatch = {
    v: MESSAGE_VERSIONS.events,
    deviceId,
    lane,
    fromSeq: first.seq,
    toSeq: last.seq,
    prevHash: first.prevHash,
    entries: entries.map(wireEntry),
  };
  return deflateRawSync(Buffer.from(JSON.stringify(batch)), { level: 6 });
}

export class BatchDecodeError extends Error {}

/**
 * Inflates, validates and rebuilds the chain: entry i gets seq fromSeq + i, the prevHash of the
 * entry before (the batch's prevHash for the first) and a hash recomputed with journal/canonical.ts
 * entryHash, the journal's own function. No hash is taken from the sender: a reader checks each
 * entry's signature over the hash rebuilt here, from the fields this version knows; a field a
 * later release adds to an entry is dropped and so never hashed (its payload is hashed as sent).
 * Throws BatchDecodeError saying what was wrong.
 */
export function decodeEventBatch(payload: Buffer, properties: MessageProperties): EventBatch {
  const encoding = properties.userProperties?.['content-encoding'];
  let text: string;
  try {
    text = (
      encoding === 'deflate' ? inflateRawSync(payload, { maxOutputLength: MAX_INFLATED_BATCH_BYTES }) : payload
    ).toString('utf8');
  } catch (error) {
    throw new BatchDecodeError(`event batch does not inflate: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BatchDecodeError(`event batch is not JSON: ${(error as Error).message}`);
  }
  if (nestsDeeperThan(json, MAX_BATCH_NESTING))
    throw new BatchDecodeError(`event batch nests arrays and objects deeper than ${MAX_BATCH_NESTING} levels`);
  const parsed = receivedEventBatchSchema.safeParse(json);
  if (!parsed.success) {
    throw new BatchDecodeError(
      `event batch is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'batch'}: ${issue.message}`).join('; ')}`,
    );
  }
  return { ...parsed.data, entries: chainEntries(parsed.data) };
}

function chainEntries(batch: ReceivedEventBatch): JournalEntry[] {
  let prevHash = batch.prevHash;
  return batch.entries.map((wire, index) => {
    const content: EntryContent = {
      seq: batch.fromSeq + index,
      id: wire.id,
      type: wire.type,
      payload: wire.payload as JsonValue,
      wallMs: wire.wallMs,
      bootId: wire.bootId,
      monoMs: wire.monoMs,
      clock: wire.clock,
      prevHash,
      keyId: wire.keyId,
    };
    let hash: string;
    try {
      hash = entryHash(content);
    } catch (error) {
      // JSON can carry what the journal never writes (a lone surrogate): no device signed such an entry.
      throw new BatchDecodeError(`event batch entry ${content.seq} cannot be hashed: ${(error as Error).message}`);
    }
    prevHash = hash;
    return { ...content, hash, signature: wire.signature };
  });
}
