import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../src/daemon/bus.js';
import { JOURNAL_GAP_EVENT } from '../../src/journal/gap.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { EventOutbox } from '../../src/sync/outbox/eventOutbox.js';
import { CENTER_ACK_EXPIRY_SECONDS, type CenterAck } from '../../src/sync/protocol/messages.js';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { tamper } from '../journal/helpers.js';
import { idleOutbox, PREFIX } from './outboxHarness.js';

const topics = roomTopics(PREFIX, 'room-1');
const OTHER_HASH = 'e'.repeat(64);

/**
 * The room's side of a journal behind or beside the center: acknowledgements of version 2 as the
 * outbox receives them, on a real journal. The link is real but never started.
 */
describe('an acknowledgement that shows the center ahead of the journal', () => {
  let cleanup = (): void => {};
  let dir = '';
  let journal: Journal;
  let bus: EventBus;
  let outbox: EventOutbox;
  const logger = createSilentLogger();
  const clock = new FakeClock();
  const gaps: Array<{ seq: number; lost: unknown; carried: number }> = [];
  const tampers: number[] = [];

  const open = (): void => {
    bus = new EventBus();
    journal = Journal.open({ dataDir: dir, clock, logger, access: 'create', bus });
    bus.on('test', 'journal.gap', (event) => gaps.push({ seq: event.seq, lost: event.lost, carried: event.carried }));
    bus.on('test', 'journal.tamper', (event) => tampers.push(event.firstBrokenSeq));
    outbox = idleOutbox({ journal, bus, logger, clock });
  };
  const close = async (): Promise<void> => {
    await outbox.stop();
    journal.close();
  };
  const hashAt = (seq: number): string => journal.read(seq - 1, 1)[0]!.hash;
  const ack = (fields: Partial<CenterAck> & { seq: number }): void => {
    const body: CenterAck = {
      v: 2,
      hash: fields.hash ?? hashAt(fields.seq),
      centerTimeMs: 1_800_000_000_000,
      heldSeq: fields.seq,
      ...fields,
    };
    outbox.handleAck({
      topic: topics.ack,
      payload: Buffer.from(JSON.stringify(body)),
      properties: { messageExpiryInterval: CENTER_ACK_EXPIRY_SECONDS },
    });
  };
  const entries = () => journal.read(0, 1000);

  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir('room-agent-rebase-'));
    gaps.length = 0;
    tampers.length = 0;
    open();
    for (let i = 0; i < 5; i++) journal.append('signin.accepted', { memberId: `m-${i}` });
    ack({ seq: 3 });
    expect(journal.syncCursor()?.seq).toBe(3);
  });

  afterEach(async () => {
    await close();
    cleanup();
  });

  it('continues above every seq the center holds when it holds more than the head, once', () => {
    const branch = entries().slice(3);
    ack({ seq: 3, heldSeq: 8 });
    expect(gaps).toEqual([{ seq: 9, lost: { fromSeq: 4, toSeq: 8 }, carried: 2 }]);
    expect(journal.head().seq).toBe(11);
    expect(journal.syncCursor()?.seq).toBe(3);
    const after = entries();
    expect(after.map((entry) => entry.seq)).toEqual([1, 2, 3, 9, 10, 11]);
    expect(after[3]!.type).toBe(JOURNAL_GAP_EVENT);
    expect(after.slice(4).map((entry) => entry.id)).toEqual(branch.map((entry) => entry.id));

    // The same ack again, and the center's acks for the seqs it held before it got the gap: nothing more.
    ack({ seq: 3, heldSeq: 8 });
    ack({ seq: 8, hash: OTHER_HASH, heldSeq: 8 });
    ack({ seq: 3, heldSeq: 8, broken: { seq: 4, reason: 'entry 4 differs from the entry stored at that seq' } });
    expect(gaps).toHaveLength(1);
    expect(journal.head().seq).toBe(11);
    expect(journal.syncCursor()?.seq).toBe(3);
    expect(tampers).toEqual([]);

    // The center got the gap: the cursor moves over it.
    ack({ seq: 11, heldSeq: 11 });
    expect(journal.syncCursor()?.seq).toBe(11);
    expect(journal.verify('full').ok).toBe(true);
  });

  it('continues above the center when it acknowledged another entry at a seq the journal holds', () => {
    ack({ seq: 5, hash: OTHER_HASH, heldSeq: 5 });
    expect(gaps).toEqual([{ seq: 6, lost: { fromSeq: 4, toSeq: 5 }, carried: 2 }]);
    ack({ seq: 5, hash: OTHER_HASH, heldSeq: 5 });
    expect(gaps).toHaveLength(1);
    expect(tampers).toEqual([]);
  });

  it('continues above the center when it reports a break above the cursor where the local chain verifies', () => {
    const broken = {
      seq: 4,
      reason: 'entry 4 differs from the entry stored at that seq (…): the room’s journal was rewritten',
    };
    ack({ seq: 3, heldSeq: 5, broken });
    expect(gaps).toEqual([{ seq: 6, lost: { fromSeq: 4, toSeq: 5 }, carried: 2 }]);
    ack({ seq: 3, heldSeq: 5, broken });
    expect(gaps).toHaveLength(1);
  });

  it('does not continue above a reported break when the local chain itself fails verification, and checks it once', async () => {
    // Verified up to the head, as a running daemon's journal is: the next open does not walk entry 4 again.
    expect(journal.verify('incremental').ok).toBe(true);
    await close();
    tamper(dir, (db) => db.prepare('UPDATE events SET payload = \'{"memberId":"m-99"}\' WHERE seq = 4').run());
    open();
    const verify = vi.spyOn(journal, 'verify');
    const broken = { seq: 4, reason: 'entry 4 has a bad signature' };
    ack({ seq: 3, heldSeq: 5, broken });
    ack({ seq: 3, heldSeq: 5, broken });
    expect(gaps).toEqual([]);
    expect(journal.head().seq).toBe(5);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(tampers).toEqual([4]);
  });

  it('does not continue above a center that holds more when an entry was removed on disk: re-appending would hide it', async () => {
    expect(journal.verify('incremental').ok).toBe(true);
    await close();
    tamper(dir, (db) => db.prepare('DELETE FROM events WHERE seq = 4').run());
    open();
    ack({ seq: 3, heldSeq: 8 });
    ack({ seq: 3, heldSeq: 8 });
    expect(gaps).toEqual([]);
    expect(entries().map((entry) => entry.seq)).toEqual([1, 2, 3, 5]);
    expect(tampers).toContain(4);
  });

  it('walks the local chain once per head, however many different breaks the acks name', async () => {
    expect(journal.verify('incremental').ok).toBe(true);
    await close();
    tamper(dir, (db) => db.prepare('UPDATE events SET payload = \'{"memberId":"m-99"}\' WHERE seq = 4').run());
    open();
    const verify = vi.spyOn(journal, 'verify');
    for (const [seq, reason] of [
      [4, 'one'],
      [5, 'two'],
      [4, 'three'],
    ] as const)
      ack({ seq: 3, heldSeq: 5, broken: { seq, reason } });
    expect(verify).toHaveBeenCalledTimes(1);
    expect(gaps).toEqual([]);
  });

  it('refuses to continue above a held seq that leaves no safe seq for the gap and the re-appended entries', () => {
    const before = entries();
    ack({ seq: 3, heldSeq: Number.MAX_SAFE_INTEGER - 2 });
    expect(gaps).toEqual([]);
    expect(entries()).toEqual(before);
    expect(journal.syncCursor()?.seq).toBe(3);
    expect(journal.verify('full').ok).toBe(true);
    // One below: the gap and both carried entries still fit.
    ack({ seq: 3, heldSeq: Number.MAX_SAFE_INTEGER - 3 });
    expect(journal.head().seq).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('never continues on an acknowledgement of version 1: that center could not verify the gap', () => {
    outbox.handleAck({
      topic: topics.ack,
      payload: Buffer.from(JSON.stringify({ v: 1, seq: 8, hash: OTHER_HASH, centerTimeMs: 1 })),
      properties: {},
    });
    expect(gaps).toEqual([]);
    expect(journal.head().seq).toBe(5);
    expect(tampers).toEqual([8]);
  });
});
