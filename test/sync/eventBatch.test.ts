import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../src/journal/types.js';
import {
  BatchDecodeError,
  decodeEventBatch,
  encodeEventBatch,
  EVENT_BATCH_PROPERTIES,
  MAX_BATCH_NESTING,
} from '../../src/sync/protocol/eventBatch.js';
import { appendSignIns, useJournal } from '../journal/helpers.js';

describe('event batches on the wire', () => {
  const j = useJournal((journal) => appendSignIns(journal, 12));
  type WireJson = Record<string, unknown> & { entries: Array<Record<string, unknown>> };
  const wireJson = (payload: Buffer): WireJson => JSON.parse(inflateRawSync(payload).toString('utf8')) as WireJson;
  const deflatedJson = (value: unknown): Buffer => deflateRawSync(Buffer.from(JSON.stringify(value)));

  it('leave seq, prevHash and hash implicit, and decode back to the journal entries exactly', () => {
    const first = j.journal.read(0, 5);
    const later = j.journal.read(5, 7);
    const wire = wireJson(encodeEventBatch('room-1', 'backfill', later));
    expect(wire).toMatchObject({
      v: 1,
      deviceId: 'room-1',
      lane: 'backfill',
      fromSeq: 6,
      toSeq: 12,
      prevHash: first.at(-1)!.hash,
    });
    expect(Object.keys(wire.entries[0]!).sort()).toEqual([
      'bootId',
      'clock',
      'id',
      'keyId',
      'monoMs',
      'payload',
      'signature',
      'type',
      'wallMs',
    ]);

    expect(decodeEventBatch(encodeEventBatch('room-1', 'backfill', later), EVENT_BATCH_PROPERTIES).entries).toEqual(
      later,
    );
    const fromGenesis = decodeEventBatch(encodeEventBatch('room-1', 'live', first), EVENT_BATCH_PROPERTIES);
    expect(fromGenesis).toMatchObject({ lane: 'live', fromSeq: 1, toSeq: 5, prevHash: GENESIS_HASH });
    expect(fromGenesis.entries).toEqual(first);
  });

  it('rebuild hashes from the content received, so a change anywhere moves every hash from there on', () => {
    const entries = j.journal.read(0, 6);
    const wire = wireJson(encodeEventBatch('room-1', 'backfill', entries));
    wire.entries[2] = { ...wire.entries[2]!, payload: { memberId: 'someone-else' } };
    const decoded = decodeEventBatch(deflatedJson(wire), EVENT_BATCH_PROPERTIES).entries;
    expect(decoded.slice(0, 2)).toEqual(entries.slice(0, 2));
    for (const index of [2, 3, 4, 5]) {
      expect(decoded[index]!.hash).not.toBe(entries[index]!.hash);
      // The signature travels unchanged: it no longer matches the hash the reader computed.
      expect(decoded[index]!.signature).toBe(entries[index]!.signature);
    }
    expect(decoded[3]!.prevHash).toBe(decoded[2]!.hash);
  });

  it('refuse a batch whose toSeq does not match its entries, whole entries, or a payload no journal could hash', () => {
    const wire = wireJson(encodeEventBatch('room-1', 'backfill', j.journal.read(0, 3)));
    const refusal = (value: unknown): string => {
      try {
        decodeEventBatch(deflatedJson(value), EVENT_BATCH_PROPERTIES);
      } catch (error) {
        expect(error).toBeInstanceOf(BatchDecodeError);
        return (error as Error).message;
      }
      throw new Error('decoded');
    };
    expect(refusal({ ...wire, toSeq: 4 })).toMatch(
      /^event batch is invalid: batch: toSeq must be fromSeq \+ the number of entries - 1/,
    );
    expect(refusal({ ...wire, entries: wire.entries.map(({ signature: _signature, ...entry }) => entry) })).toMatch(
      /^event batch is invalid: entries\.0\.signature: /,
    );
    // Whole journal entries carry seq, prevHash and hash, which the wire leaves implicit: members
    // this reader does not take are ignored, and the chain is rebuilt, never taken from the sender.
    const forged = j.journal.read(0, 3).map((entry) => ({ ...entry, hash: 'f'.repeat(64), prevHash: 'e'.repeat(64) }));
    expect(decodeEventBatch(deflatedJson({ ...wire, entries: forged }), EVENT_BATCH_PROPERTIES)).toEqual(
      decodeEventBatch(deflatedJson(wire), EVENT_BATCH_PROPERTIES),
    );
    expect(refusal({ ...wire, prevHash: 'x' })).toMatch(/^event batch is invalid: prevHash: 64 lowercase hex digits/);
    wire.entries[1] = { ...wire.entries[1]!, payload: { name: '\uD800' } };
    expect(refusal(wire)).toMatch(
      /^event batch entry 2 cannot be hashed: \$\.payload\.name: string contains a lone UTF-16 surrogate/,
    );
  });

  it('refuse a batch nested deeper than any journal writes, as a bad batch rather than a stack overflow', () => {
    const wire = wireJson(encodeEventBatch('room-1', 'backfill', j.journal.read(0, 1)));
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const text = JSON.stringify({ ...wire, entries: [{ ...wire.entries[0]!, payload: 0 }] }).replace(
      '"payload":0',
      `"payload":${deep}`,
    );
    expect(() => decodeEventBatch(deflateRawSync(Buffer.from(text)), EVENT_BATCH_PROPERTIES)).toThrow(
      new BatchDecodeError(`event batch nests arrays and objects deeper than ${MAX_BATCH_NESTING} levels`),
    );
  });

  it('are encoded from consecutive entries only', () => {
    const entries = j.journal.read(0, 4);
    expect(() => encodeEventBatch('room-1', 'backfill', [entries[0]!, entries[2]!])).toThrow(RangeError);
    expect(() => encodeEventBatch('room-1', 'backfill', [])).toThrow(RangeError);
  });
});
