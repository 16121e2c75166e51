import { describe, expect, it } from 'vitest';
import type { RoomSummary } from '../../src/center/room.js';
import { keyRecords } from '../../src/journal/keyChain.js';
import { generateDeviceKey } from '../../src/journal/keyCrypto.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { appendSignIns, useCenter } from './helpers.js';
import { stringMatching } from '../helpers/matchers.js';

/** The entry with one payload field changed, signature left as it was: an edited row. */
function withChangedScore(entry: JournalEntry): JournalEntry {
  const payload = entry.payload as Record<string, number>;
  return { ...entry, payload: { ...payload, score: payload.score! + 1 } };
}

/** The center's reason for an entry whose signature fails over the hash it recomputed. */
const BAD_SIGNATURE = (seq: number): RegExp =>
  new RegExp(
    `^entry ${seq} has a bad signature \\(key [0-9a-f]{16}\\): it, or its place in the chain, was changed without the device key$`,
  );

describe('county center: verifying each room’s chain', () => {
  const f = useCenter();
  /** The room's summary once the center has flagged its chain. */
  const flagged = async (deviceId: string): Promise<RoomSummary> => {
    await f().center.waitFor(() => Boolean(f().center.room(deviceId)?.broken), 5000, `room ${deviceId} flagged`);
    return f().center.room(deviceId)!;
  };

  it('flags a tampered entry as a broken chain at exactly its seq and never acks past it', async () => {
    const room = await f().room('tampered', 10);
    await room.publishState();
    const entries = room.entries(1, 10);
    entries[5] = withChangedScore(entries[5]!);
    const broken = new Promise((resolve) =>
      f().center.once('broken', (deviceId, chain) => resolve({ deviceId, chain })),
    );
    await room.publishEntries(entries);

    // Batches carry no hashes: the center's own hash of the changed content is not what the device key signed.
    expect(await broken).toEqual({
      deviceId: 'tampered',
      chain: { seq: 6, reason: stringMatching(BAD_SIGNATURE(6)) },
    });
    await f().center.waitFor(() => room.lastAck()?.seq === 5, 5000, 'an ack for seq 5');
    expect(room.lastAck()?.hash).toBe(entries[4]!.hash);
    expect(f().center.room('tampered')).toMatchObject({ contiguousSeq: 5, broken: { seq: 6 } });

    // More entries, even the genuine seq 6 resent, do not move the ack past the break.
    appendSignIns(room.journal, 5);
    await room.publishBatch(6, 15);
    await f().center.waitFor(() => f().center.eventCount('tampered') === 15, 5000, 'the later entries stored');
    expect(f().center.room('tampered')).toMatchObject({ contiguousSeq: 5, broken: { seq: 6 } });
    expect(room.acks.every((ack) => ack.seq <= 5)).toBe(true);
  });

  it('flags an entry removed from the middle of a batch at the first seq it shifts', async () => {
    const room = await f().room('removed', 10);
    await room.publishState();
    // Seqs are implicit on the wire: without entry 6, entry 7 arrives as seq 6, 8 as 7…
    const entries = room.entries(1, 10).filter((entry) => entry.seq !== 6);
    await room.publishEntries(entries.map((entry, index) => ({ ...entry, seq: index + 1 })));
    const summary = await flagged('removed');
    expect(summary.broken?.seq).toBe(6);
    expect(summary.broken?.reason).toMatch(BAD_SIGNATURE(6));
    expect(summary.contiguousSeq).toBe(5);
    await f().center.waitFor(() => room.lastAck()?.seq === 5, 5000, 'an ack for seq 5');
    expect(room.acks.every((ack) => ack.seq <= 5)).toBe(true);
  });

  it('flags a batch whose prevHash does not name the entry the center holds before it', async () => {
    const room = await f().room('unlinked', 8);
    await room.publishState();
    await room.publishBatch(1, 5);
    await f().center.waitForContiguous('unlinked', 5);
    const entries = room.entries(6, 8);
    entries[0] = { ...entries[0]!, prevHash: 'f'.repeat(64) };
    await room.publishEntries(entries);
    expect(await flagged('unlinked')).toMatchObject({
      contiguousSeq: 5,
      broken: { seq: 6, reason: 'entry 6 does not follow entry 5: its prevHash does not match' },
    });
  });

  it('flags an entry signed by a key that is not the room’s', async () => {
    const room = await f().room('stranger', 3);
    await room.publishState();
    const entries = room.entries(1, 3);
    const stranger = generateDeviceKey();
    entries[2] = { ...entries[2]!, keyId: stranger.keyId };
    await room.publishEntries(entries);
    expect((await flagged('stranger')).broken).toEqual({
      seq: 3,
      reason: `entry 3 is signed by key ${stranger.keyId}, which is not a key of this room`,
    });
  });

  it('flags a resent entry that differs from the one stored at its seq', async () => {
    const room = await f().room('rewritten', 6);
    await room.publishState();
    await room.publishBatch(1, 6);
    await f().center.waitForContiguous('rewritten', 6);
    const entries = room.entries(3, 6);
    entries[0] = withChangedScore(entries[0]!);
    await room.publishEntries(entries);
    const { broken } = await flagged('rewritten');
    expect(broken?.seq).toBe(3);
    expect(broken?.reason).toMatch(/^entry 3 differs from the entry stored at that seq/);
    expect(f().center.eventCount('rewritten')).toBe(6);
  });

  it('accepts a key rotation, waiting for the room to announce the new key when the batch comes first', async () => {
    const room = await f().room('rotating', 5);
    const firstKeyOnly = keyRecords(room.journal.db);
    room.journal.rotateKey();
    appendSignIns(room.journal, 5);
    expect(room.journal.head().seq).toBe(11);

    // The state names only the first key: the rotation at seq 6 cannot be judged yet.
    await room.publishState({ keys: firstKeyOnly });
    await room.publishBatch(1, 11);
    await f().center.waitFor(() => Boolean(f().center.room('rotating')?.pending), 5000, 'the room waiting for its key');
    expect(f().center.room('rotating')).toMatchObject({ contiguousSeq: 5, broken: null });

    await room.publishState();
    await f().center.waitForContiguous('rotating', 11);
    expect(f().center.room('rotating')).toMatchObject({
      broken: null,
      pending: null,
      contiguousHash: room.journal.head().hash,
    });
    await f().center.waitFor(() => room.lastAck()?.seq === 11, 5000, 'an ack for seq 11');
  });

  it('refuses a rotated-in key that its predecessor did not endorse', async () => {
    const room = await f().room('forged-key', 4);
    room.journal.rotateKey();
    appendSignIns(room.journal, 2);
    const keys = keyRecords(room.journal.db);
    // A well-formed signature that verifies over nothing the first key ever signed.
    const forgedKeys = [keys[0]!, { ...keys[1]!, endorsement: Buffer.alloc(64).toString('base64') }];
    await room.publishState({ keys: forgedKeys });
    await room.publishBatch(1, 7);
    const { broken } = await flagged('forged-key');
    expect(broken?.seq).toBe(5);
    expect(broken?.reason).toMatch(
      /^entry 5 rotates to a key that is not trusted: key [0-9a-f]{16} has no valid endorsement/,
    );
  });

  it('flags a room that later presents another first key, and keeps the one it trusted', async () => {
    const room = await f().room('reinstalled', 3);
    await room.publishState();
    await room.publishBatch(1, 3);
    await f().center.waitForContiguous('reinstalled', 3);
    const other = generateDeviceKey();
    await room.publishState({
      keys: [{ keyId: other.keyId, publicKey: other.publicKey, firstSeq: 1, previousKeyId: null, endorsement: null }],
    });
    expect((await flagged('reinstalled')).broken).toEqual({
      seq: 1,
      reason: `the room now presents first key ${other.keyId}, but key ${keyRecords(room.journal.db)[0]!.keyId} was trusted on first use (a reinstalled device, or another device using this id)`,
    });
    expect(f().center.room('reinstalled')?.contiguousSeq).toBe(3);
  });
});
