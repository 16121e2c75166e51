import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { appendSignIns, FakeRoom, range, useCenter, type CenterFixture } from './helpers.js';

/** Sign-ins counted for `deviceId` today and ever, as the center's views count them. */
function signInsCounted(f: CenterFixture, deviceId: string): number {
  return f.center.signInsBetween(0, Number.MAX_SAFE_INTEGER).get(deviceId)?.real ?? 0;
}

/**
 * A room whose data folder was copied while its journal held `common` entries, the center
 * having acknowledged them; the original then went on to `centerHolds` entries, all stored and
 * verified by the center; then the copy was put back. Returns the restored room (its journal the
 * copy) connected as the device, the original closed.
 */
async function restoredRoom(
  f: CenterFixture,
  deviceId: string,
  { common, centerHolds }: { common: number; centerHolds: number },
): Promise<FakeRoom> {
  const original = await f.room(deviceId, common);
  await original.publishState();
  await original.publishBatch(1, common);
  await f.center.waitFor(() => original.lastAck()?.seq === common, 5000, `an ack for seq ${common}`);
  const ack = original.lastAck()!;
  original.journal.anchor({ seq: ack.seq, hash: ack.hash });
  const originalDir = join(f.dir, deviceId);
  const copyDir = join(f.dir, `${deviceId}-copy`);
  original.journal.close();
  cpSync(originalDir, copyDir, { recursive: true });
  const reopened = Journal.open({
    dataDir: originalDir,
    clock: new FakeClock({ wallMs: Date.now() }),
    logger: createSilentLogger(),
  });
  appendSignIns(reopened, centerHolds - common);
  await original.publishEntries(reopened.read(common, centerHolds - common));
  await f.center.waitForContiguous(deviceId, centerHolds);
  reopened.close();
  await original.client.endAsync();
  const restored = Journal.open({
    dataDir: copyDir,
    clock: new FakeClock({ wallMs: Date.now() + 1 }),
    logger: createSilentLogger(),
  });
  const room = await FakeRoom.connect(f.broker.url, deviceId, restored);
  onTestFinished(() => room.close());
  return room;
}

describe('county center: gaps a room declares', () => {
  const f = useCenter();

  it('moves the verified prefix over a valid gap, records it, and clears the break the branch caused inside it', async () => {
    const room = await restoredRoom(f(), 'rolled', { common: 6, centerHolds: 10 });
    await room.publishState();
    // Written on the restored copy before it heard from the center: seqs 7 and 8 mean other entries there.
    appendSignIns(room.journal, 2);
    await room.publishBatch(7, 8);
    await f().center.waitFor(() => f().center.room('rolled')?.broken?.seq === 7, 5000, 'the branch flagged at 7');
    expect(f().center.room('rolled')?.broken?.reason).toMatch(/differs from the entry stored at that seq/);

    const continued = room.journal.rebaseAfterCenter({ centerSeq: 10, detail: 'restored from an older copy' })!;
    expect(continued.gap.seq).toBe(11);
    await room.publishBatch(11, 13);
    await f().center.waitForContiguous('rolled', 13);

    const summary = f().center.room('rolled')!;
    expect(summary.broken).toBeNull();
    expect(summary.contiguousHash).toBe(room.journal.head().hash);
    expect(f().center.knownGaps('rolled')).toEqual([
      expect.objectContaining({
        seq: 11,
        reason: 'rollback',
        detail: 'restored from an older copy',
        continuesFrom: 6,
        lost: { fromSeq: 7, toSeq: 10 },
        heldLost: 4,
        carried: 2,
        quarantinedFile: null,
      }),
    ]);
    expect(summary.gaps).toHaveLength(1);
    // The center's entries 7..10 stay what it stored; the branch's two sign-ins are counted once, at 12 and 13.
    expect(f().center.storedSeqs('rolled')).toEqual(range(1, 13));
    expect(signInsCounted(f(), 'rolled')).toBe(12);
    await f().center.waitFor(() => room.lastAck()?.seq === 13, 5000, 'an ack for seq 13');
    expect(room.lastAck()).toMatchObject({ v: 2, seq: 13, heldSeq: 13 });
    expect(room.lastAck()?.broken).toBeUndefined();

    // Entries after the gap are walked as usual.
    appendSignIns(room.journal, 3);
    await room.publishBatch(14, 16);
    await f().center.waitForContiguous('rolled', 16);
  });

  it('stores a carried copy of an entry it holds under another seq, and counts it once', async () => {
    const room = await restoredRoom(f(), 'carried', { common: 6, centerHolds: 8 });
    await room.publishState();
    // The branch runs past what the center held: 7 and 8 conflict, 9 and 10 are new to the center.
    appendSignIns(room.journal, 4);
    const branch = room.entries(7, 10);
    await room.publishBatch(7, 10);
    await f().center.waitFor(() => f().center.eventCount('carried') === 10, 5000, 'seqs 9 and 10 stored');
    expect(signInsCounted(f(), 'carried')).toBe(10);

    room.journal.rebaseAfterCenter({ centerSeq: 10, detail: 'restored' });
    await room.publishBatch(11, 15);
    await f().center.waitForContiguous('carried', 15);
    const carried = room.entries(12, 15);
    expect(carried.map((entry) => entry.id)).toEqual(branch.map((entry) => entry.id));
    // 8 of the original, the branch's 9 and 10 as first stored, its 7 and 8 as carried to 12 and 13; 14 and 15 are copies.
    expect(signInsCounted(f(), 'carried')).toBe(12);
    expect(f().center.storedSeqs('carried')).toEqual(range(1, 15));
    expect(f().center.room('carried')).toMatchObject({ broken: null, contiguousSeq: 15 });
    expect(f().center.knownGaps('carried')).toEqual([expect.objectContaining({ seq: 11, heldLost: 4, carried: 4 })]);
    // A resent batch of copies is a duplicate, not a further copy.
    await room.publishBatch(14, 15);
    await f().center.waitFor(
      () => f().center.duplicates('carried') >= 2,
      5000,
      'the copies resent counted as duplicates',
    );
    expect(signInsCounted(f(), 'carried')).toBe(12);
  });

  it('never acknowledges past a gap whose continuesFrom hash is not the one it verified', async () => {
    const room = await restoredRoom(f(), 'forged', { common: 6, centerHolds: 10 });
    await room.publishState();
    room.journal.continueAfterLoss({
      from: { seq: 6, hash: 'f'.repeat(64) },
      above: 10,
      reason: 'rollback',
      detail: 'a gap that does not continue from the entry the center holds',
      carry: [],
    });
    appendSignIns(room.journal, 2);
    await room.publishBatch(11, 13);
    await f().center.waitFor(() => f().center.room('forged')?.broken !== null, 5000, 'the gap flagged');
    expect(f().center.room('forged')).toMatchObject({
      contiguousSeq: 10,
      broken: { seq: 11, reason: 'entry 11 is a journal.gap continuing from seq 6, which is not the entry held there' },
    });
    expect(f().center.knownGaps('forged')).toEqual([]);
    await f().center.waitFor(() => room.lastAck()?.broken?.seq === 11, 5000, 'an ack naming the break');
    expect(room.acks.every((ack) => ack.seq <= 10)).toBe(true);
  });

  it('waits with a gap continuing from an entry it has not verified yet, and moves over it once it has', async () => {
    const room = await f().room('waiting', 6);
    await room.publishState();
    await room.publishBatch(1, 3);
    await f().center.waitForContiguous('waiting', 3);
    // The room continues from 6 (say a damaged stretch after it); the center has not seen 4..6 yet.
    room.journal.continueAfterLoss({
      from: room.journal.head(),
      above: 8,
      reason: 'damaged',
      detail: 'the journal file was damaged',
      carry: [],
      quarantinedFile: 'journal-damaged.sqlite',
    });
    await room.publishBatch(9, 9);
    await f().center.waitFor(() => f().center.eventCount('waiting') === 4, 5000, 'the gap stored');
    expect(f().center.room('waiting')).toMatchObject({ contiguousSeq: 3, broken: null });
    await room.publishBatch(4, 6);
    await f().center.waitForContiguous('waiting', 9);
    expect(f().center.room('waiting')?.damaged).toMatchObject({
      seq: 9,
      reason: 'damaged',
      lost: { fromSeq: 7, toSeq: 8 },
      heldLost: 0,
      quarantinedFile: 'journal-damaged.sqlite',
    });
  });

  it('keeps its known gaps and copies across a restart', async () => {
    const room = await restoredRoom(f(), 'kept', { common: 4, centerHolds: 6 });
    await room.publishState();
    room.journal.rebaseAfterCenter({ centerSeq: 6, detail: 'restored' });
    await room.publishBatch(7, 7);
    await f().center.waitForContiguous('kept', 7);
    const center = await f().restartCenter();
    expect(center.knownGaps('kept')).toEqual([expect.objectContaining({ seq: 7, lost: { fromSeq: 5, toSeq: 6 } })]);
    expect(center.room('kept')).toMatchObject({ contiguousSeq: 7, gaps: [expect.objectContaining({ seq: 7 })] });
  });
});
