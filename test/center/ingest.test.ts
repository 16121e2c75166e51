import { describe, expect, it } from 'vitest';
import { range, useCenter } from './helpers.js';

describe('county center: storing and acknowledging', () => {
  const f = useCenter();

  it('stores a batch once when it arrives twice, counts the duplicates and acks the head with its hash', async () => {
    const room = await f().room('room-a', 10);
    await room.publishState();
    await room.publishBatch(1, 10);
    await f().center.waitForContiguous('room-a', 10);
    await room.publishBatch(1, 10);
    await f().center.waitFor(() => f().center.duplicates('room-a') === 10, 5000, 'ten duplicates');

    expect(f().center.storedSeqs('room-a')).toEqual(range(1, 10));
    expect(f().center.eventCount('room-a')).toBe(10);
    expect(f().center.stats()).toMatchObject({ eventsStored: 10, duplicates: 10, badMessages: 0 });
    const head = room.journal.head();
    await f().center.waitFor(() => room.lastAck()?.seq === 10, 5000, 'an ack for seq 10');
    const ack = room.lastAck()!;
    expect(ack).toMatchObject({ v: 2, seq: 10, hash: head.hash, heldSeq: 10 });
    expect(ack.broken).toBeUndefined();
    expect(Math.abs(ack.centerTimeMs - Date.now())).toBeLessThan(5000);
    expect(f().center.room('room-a')).toMatchObject({
      contiguousSeq: 10,
      contiguousHash: head.hash,
      broken: null,
      state: 'online',
    });
  });

  it('acks only the contiguous prefix while a live batch runs ahead of the backfill', async () => {
    const room = await f().room('room-b', 20);
    await room.publishState();
    await room.publishBatch(11, 20, 'live');
    await f().center.waitFor(() => f().center.eventCount('room-b') === 10, 5000, 'the live batch stored');
    // The live batch is on disk but nothing before it: no ack may claim it.
    expect(f().center.room('room-b')?.contiguousSeq).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(room.acks).toEqual([]);

    await room.publishBatch(1, 4);
    await f().center.waitFor(() => room.lastAck()?.seq === 4, 5000, 'an ack for seq 4');
    expect(room.lastAck()?.hash).toBe(room.entries(4, 4)[0]!.hash);

    await room.publishBatch(5, 10);
    await f().center.waitFor(() => room.lastAck()?.seq === 20, 5000, 'an ack for seq 20 once the gap is filled');
    expect(room.lastAck()?.hash).toBe(room.journal.head().hash);
    expect(room.acks.every((ack) => ack.seq <= 4 || ack.seq === 20)).toBe(true);
  });

  it('starts the prefix where the state message says the journal of a room pruned before first contact starts', async () => {
    const room = await f().room('room-c', 12);
    await room.publishState({ journalStart: { seq: 5, prevHash: room.entries(4, 4)[0]!.hash } });
    await room.publishBatch(5, 12);
    await f().center.waitFor(() => room.lastAck()?.seq === 12, 5000, 'an ack for seq 12');
    expect(f().center.room('room-c')).toMatchObject({ baseSeq: 5, contiguousSeq: 12, broken: null });
  });

  it('sends a room its cursor when it comes online, and keeps what rooms sent while the center was down', async () => {
    const room = await f().room('room-d', 30);
    await room.publishState();
    await room.publishBatch(1, 10);
    await f().center.waitForContiguous('room-d', 10);

    await f().center.stop();
    await room.publishBatch(11, 30);
    const center = await f().restartCenter();
    await center.waitForContiguous('room-d', 30);
    expect(center.storedSeqs('room-d')).toEqual(range(1, 30));
    expect(center.room('room-d')?.contiguousHash).toBe(room.journal.head().hash);

    // A room that lost its ack learns its cursor from the ack sent when it comes online.
    room.acks.length = 0;
    await room.publishState({ bootId: 'boot-b' });
    await center.waitFor(() => room.lastAck()?.seq === 30, 5000, 'the cursor sent on online');
  });
});
