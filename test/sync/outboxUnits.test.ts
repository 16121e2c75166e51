import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/sync/outbox/batcher.js';
import { CenterClock } from '../../src/sync/outbox/centerClock.js';
import { RewindTimer } from '../../src/sync/outbox/rewindTimer.js';
import { SeqRanges } from '../../src/sync/outbox/session.js';
import { encodeEventBatch } from '../../src/sync/protocol/eventBatch.js';
import { appendSignIns, useJournal } from '../journal/helpers.js';

describe('batches cut from the journal', () => {
  const j = useJournal((journal) => appendSignIns(journal, 40));
  const seqs = (entries: Array<{ seq: number }>): number[] => entries.map((entry) => entry.seq);
  /** The JSON size of the batch as it goes on the wire, before compression. */
  const jsonBytes = (entries: Parameters<typeof encodeEventBatch>[2]): number =>
    inflateRawSync(encodeEventBatch('room-1', 'backfill', entries)).length;

  it('hold at most maxEvents consecutive entries, starting after the given seq', () => {
    const batcher = new Batcher(j.journal, 'room-1', { maxEvents: 7, maxBytes: 1_000_000 });
    expect(seqs(batcher.read(0, 40))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seqs(batcher.read(35, 40))).toEqual([36, 37, 38, 39, 40]);
  });

  it('stop at untilSeq, and are empty when nothing lies in the range', () => {
    const batcher = new Batcher(j.journal, 'room-1', { maxEvents: 500, maxBytes: 1_000_000 });
    expect(seqs(batcher.read(10, 12))).toEqual([11, 12]);
    expect(batcher.read(12, 12)).toEqual([]);
    expect(batcher.read(40, 100)).toEqual([]);
  });

  it('stay within maxBytes of JSON, and take as many entries as fit', () => {
    const maxBytes = 2500;
    const batcher = new Batcher(j.journal, 'room-1', { maxEvents: 500, maxBytes });
    let after = 0;
    while (after < 40) {
      const batch = batcher.read(after, 40);
      expect(batch.length).toBeGreaterThan(0);
      expect(jsonBytes(batch)).toBeLessThanOrEqual(maxBytes);
      const next = j.journal.read(batch.at(-1)!.seq, 1);
      // The batcher sizes the envelope for the widest seqs: it may leave a few dozen bytes unused.
      if (next.length > 0) expect(jsonBytes([...batch, ...next])).toBeGreaterThan(maxBytes - 64);
      after = batch.at(-1)!.seq;
    }
  });

  it('carry an entry larger than maxBytes alone', () => {
    j.journal.append('member.note', { text: 'x'.repeat(5000) });
    j.journal.append('member.note', { text: 'small' });
    const batcher = new Batcher(j.journal, 'room-1', { maxEvents: 500, maxBytes: 1024 });
    expect(seqs(batcher.read(40, 100))).toEqual([41]);
    expect(seqs(batcher.read(41, 100))).toEqual([42]);
  });

  it('start at the oldest entry the journal still holds after a prune', () => {
    j.journal.anchor({ seq: 40, hash: j.journal.head().hash });
    j.clock.advance(3 * 86_400_000);
    expect(j.journal.prune({ retentionDays: 1, nowWallMs: j.clock.wallMs })?.throughSeq).toBe(40);
    const batcher = new Batcher(j.journal, 'room-1', { maxEvents: 500, maxBytes: 1_000_000 });
    expect(seqs(batcher.read(0, 100))).toEqual([41]);
  });
});

describe("the center's clock", () => {
  it('is unknown until the center was heard, then runs on the local monotonic clock', () => {
    let mono = 1000;
    const clock = new CenterClock(() => mono);
    expect(clock.now()).toBeUndefined();
    clock.observe(1_800_000_000_000, 1000);
    mono = 61_000;
    expect(clock.now()).toBe(1_800_000_060_000);
  });

  it('keeps the latest observation and ignores one taken earlier', () => {
    let mono = 5000;
    const clock = new CenterClock(() => mono);
    clock.observe(2_000_000, 5000);
    clock.observe(1_000_000, 4000);
    expect(clock.now()).toBe(2_000_000);
    clock.observe(3_000_000, 5000);
    mono = 5500;
    expect(clock.now()).toBe(3_000_500);
  });
});

describe('seq ranges sent live', () => {
  it('merge adjacent and overlapping ranges and answer which range covers a seq', () => {
    const ranges = new SeqRanges();
    ranges.add(10, 12);
    ranges.add(13, 15);
    ranges.add(20, 20);
    ranges.add(5, 6);
    expect(ranges.covering(14)).toEqual({ from: 10, to: 15 });
    expect(ranges.covering(16)).toBeUndefined();
    expect(ranges.nextStartAfter(6)).toBe(10);
    expect(ranges.nextStartAfter(15)).toBe(20);
    expect(ranges.nextStartAfter(20)).toBeUndefined();
    ranges.add(16, 19);
    expect(ranges.covering(20)).toEqual({ from: 10, to: 20 });
    ranges.dropThrough(12);
    expect(ranges.covering(5)).toBeUndefined();
    expect(ranges.nextStartAfter(0)).toBe(10);
    ranges.clear();
    expect(ranges.covering(15)).toBeUndefined();
  });
});

describe('when to send again', () => {
  it('is due once the broker took seqs past the cursor and no ack moved it for the timeout', () => {
    const timer = new RewindTimer(1000);
    timer.sent(10, 10, 0);
    expect(timer.due(5000)).toBe(false);
    timer.sent(12, 10, 100);
    expect(timer.due(1099)).toBe(false);
    expect(timer.due(1100)).toBe(true);
  });

  it('waits twice as long after each fruitless rewind, and the timeout again once the cursor moves', () => {
    const timer = new RewindTimer(1000);
    timer.sent(12, 10, 0);
    timer.rewound(1000);
    expect(timer.due(2999)).toBe(false);
    expect(timer.due(3000)).toBe(true);
    timer.rewound(3000);
    expect(timer.waitMs).toBe(4000);
    for (let i = 0; i < 10; i++) timer.rewound(3000);
    expect(timer.waitMs).toBe(16_000);
    timer.acked(12, 11, 4000);
    expect(timer.waitMs).toBe(1000);
    expect(timer.due(5000)).toBe(true);
    timer.acked(12, 12, 5000);
    expect(timer.due(100_000)).toBe(false);
  });

  it('starts afresh on a new connection', () => {
    const timer = new RewindTimer(1000);
    timer.sent(12, 10, 0);
    timer.connected();
    expect(timer.due(10_000)).toBe(false);
  });
});
