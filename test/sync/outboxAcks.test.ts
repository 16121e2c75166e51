import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../src/daemon/bus.js';
import { ErrorCode, isAgentError } from '../../src/errors.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { LinkPublishRefused } from '../../src/sync/link/errors.js';
import type { Link, LinkEvents, LinkSession, PublishRequest } from '../../src/sync/link/types.js';
import { EventOutbox } from '../../src/sync/outbox/eventOutbox.js';
import { decodeEventBatch } from '../../src/sync/protocol/eventBatch.js';
import { CENTER_ACK_EXPIRY_SECONDS } from '../../src/sync/protocol/messages.js';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { ByteRateLimiter } from '../../src/sync/rateLimiter.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { errorOf } from '../journal/helpers.js';
import { idleOutbox, PREFIX } from './outboxHarness.js';

const topics = roomTopics(PREFIX, 'room-1');
const CENTER_TIME = 1_800_000_000_000;

/**
 * Acknowledgements as the outbox receives them from the link. The link is real but never
 * started: acknowledgements are handled whatever the connection does, and nothing is sent here.
 */
describe("the center's acknowledgements", () => {
  let cleanup = (): void => {};
  let dir = '';
  let clock: FakeClock;
  let journal: Journal;
  let bus: EventBus;
  let outbox: EventOutbox;
  let mono = 0;
  const logger = createSilentLogger();
  const centerTimes: number[] = [];
  const tampers: Array<{ firstBrokenSeq: number; reason: string }> = [];

  const openOutbox = (onCenterTime: (ms: number) => void = (ms) => centerTimes.push(ms)): EventOutbox => {
    return idleOutbox({ journal, bus, logger, clock, onCenterTime, now: () => mono });
  };
  const hashAt = (seq: number): string => journal.read(seq - 1, 1)[0]!.hash;
  /** As the broker delivers the reference center's acks: with the remaining message expiry (all of it when it did not wait). */
  const ack = (body: unknown, remainingExpiry: number | null = CENTER_ACK_EXPIRY_SECONDS): void =>
    outbox.handleAck({
      topic: topics.ack,
      payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      properties: remainingExpiry === null ? {} : { messageExpiryInterval: remainingExpiry },
    });
  const valid = (seq: number, hash = hashAt(seq), centerTimeMs = CENTER_TIME) => ({ v: 1, seq, hash, centerTimeMs });

  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir('room-agent-outbox-'));
    clock = new FakeClock();
    bus = new EventBus();
    journal = Journal.open({ dataDir: dir, clock, logger, access: 'create', bus });
    for (let i = 0; i < 5; i++) journal.append('signin.accepted', { memberId: `m-${i}` });
    centerTimes.length = 0;
    tampers.length = 0;
    bus.on('test', 'journal.tamper', (event) => tampers.push(event));
    mono = 10_000;
    outbox = openOutbox();
  });

  afterEach(async () => {
    await outbox.stop();
    journal.close();
    cleanup();
  });

  it('move the sync cursor, give the center time to the clock, and start the center clock', () => {
    ack(valid(3));
    expect(journal.syncCursor()).toMatchObject({ seq: 3, hash: hashAt(3), centerTimeMs: CENTER_TIME });
    expect(centerTimes).toEqual([CENTER_TIME]);
    mono += 2500;
    expect(outbox.centerClock.now()).toBe(CENTER_TIME + 2500);
    expect(outbox.stats()).toMatchObject({
      ackedSeq: 3,
      ackedHash: hashAt(3),
      backlogEvents: 2,
      lastAckMonoMs: 10_000,
      lastAckCenterTimeMs: CENTER_TIME,
    });
  });

  it('give the center time only with the age the broker vouches for: an ack without message expiry may have waited days', () => {
    ack(valid(2), null);
    expect(journal.syncCursor()).toMatchObject({ seq: 2, hash: hashAt(2) });
    expect(journal.syncCursor()?.centerTimeMs).toBeUndefined();
    expect(centerTimes).toEqual([]);
    expect(outbox.centerClock.now()).toBeUndefined();
    // Held 40 s in this room's session: the center's time now is 40 s after the one in the ack.
    ack(valid(3), CENTER_ACK_EXPIRY_SECONDS - 40);
    expect(journal.syncCursor()).toMatchObject({ seq: 3, centerTimeMs: CENTER_TIME + 40_000 });
    expect(centerTimes).toEqual([CENTER_TIME + 40_000]);
    expect(outbox.centerClock.now()).toBe(CENTER_TIME + 40_000);
    // An expiry longer than the protocol's says nothing about the age.
    ack(valid(4, hashAt(4), CENTER_TIME + 90_000), CENTER_ACK_EXPIRY_SECONDS + 1);
    expect(journal.syncCursor()?.seq).toBe(4);
    expect(centerTimes).toEqual([CENTER_TIME + 40_000]);
  });

  it('change nothing and throw nothing when they are garbage', () => {
    const warn = vi.spyOn(logger, 'warn');
    const garbage = [
      'not json',
      '',
      '{}',
      '[1,2,3]',
      JSON.stringify({ ...valid(3), extra: true }),
      JSON.stringify({ ...valid(3), v: 2 }),
      JSON.stringify({ ...valid(3), seq: 0 }),
      JSON.stringify({ ...valid(3), seq: 2.5 }),
      JSON.stringify({ ...valid(3), hash: hashAt(3).toUpperCase() }),
      JSON.stringify({ ...valid(3), centerTimeMs: -1 }),
      JSON.stringify({ ...valid(3), pad: 'x'.repeat(2000) }),
    ];
    for (const payload of garbage) expect(() => ack(payload)).not.toThrow();
    expect(() =>
      outbox.handleAck({ topic: topics.ack, payload: Buffer.from([0xff, 0xfe, 0x00, 0x80]), properties: {} }),
    ).not.toThrow();
    expect(journal.syncCursor()).toBeUndefined();
    expect(centerTimes).toEqual([]);
    expect(outbox.centerClock.now()).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(garbage.length + 1);
    warn.mockRestore();
    expect(tampers).toEqual([]);
  });

  it('are refused, reported once, and leave the cursor when they contradict the local chain', () => {
    ack(valid(2));
    ack(valid(4, hashAt(3)));
    ack(valid(4, hashAt(3)));
    ack(valid(9, hashAt(5)));
    ack(valid(2, hashAt(1)));
    expect(journal.syncCursor()?.seq).toBe(2);
    expect(centerTimes).toEqual([CENTER_TIME]);
    expect(tampers.map((event) => event.firstBrokenSeq)).toEqual([4, 9, 2]);
    expect(tampers[0]!.reason).toBe('center acknowledgement: entry 4 differs from the entry the center acknowledged');
  });

  it('change nothing when they are older than the cursor', () => {
    ack(valid(4));
    ack(valid(2, hashAt(2), CENTER_TIME + 60_000));
    expect(journal.syncCursor()).toMatchObject({ seq: 4, centerTimeMs: CENTER_TIME });
    expect(centerTimes).toEqual([CENTER_TIME]);
    expect(outbox.centerClock.now()).toBe(CENTER_TIME);
  });

  it('repeating the cursor still tell the center time', () => {
    ack(valid(4));
    mono += 1000;
    ack(valid(4, hashAt(4), CENTER_TIME + 5000));
    expect(journal.syncCursor()?.seq).toBe(4);
    expect(centerTimes).toEqual([CENTER_TIME, CENTER_TIME + 5000]);
    expect(outbox.centerClock.now()).toBe(CENTER_TIME + 5000);
  });

  it('move the cursor even when taking the center time fails', async () => {
    await outbox.stop();
    outbox = openOutbox(() => {
      throw new Error('clock service down');
    });
    expect(() => ack(valid(5))).not.toThrow();
    expect(journal.syncCursor()?.seq).toBe(5);
  });

  it('are remembered across a restart in the same boot: the center clock runs on from the stored cursor', async () => {
    ack(valid(5));
    await outbox.stop();
    clock.advance(30_000);
    mono = 500_000;
    outbox = openOutbox();
    expect(outbox.centerClock.now()).toBe(CENTER_TIME + 30_000);
    await outbox.stop();
    clock.reboot(60_000);
    outbox = openOutbox();
    expect(outbox.centerClock.now()).toBeUndefined();
  });
});

describe('a replay asked for by the center', () => {
  let cleanup = (): void => {};
  let journal: Journal;
  let outbox: EventOutbox;
  const clock = new FakeClock();

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir('room-agent-outbox-'));
    const logger = createSilentLogger();
    const bus = new EventBus();
    journal = Journal.open({ dataDir: dir, clock, logger, access: 'create', bus });
    for (let i = 0; i < 5; i++) journal.append('signin.accepted', { memberId: `m-${i}` });
    outbox = idleOutbox({ journal, bus, logger, clock });
  });

  afterEach(async () => {
    await outbox.stop();
    journal.close();
    cleanup();
  });

  it('covers the seq asked for up to the head', () => {
    expect(outbox.replayFrom(2)).toEqual({ fromSeq: 2, toSeq: 5 });
    expect(outbox.replayFrom(9)).toEqual({ fromSeq: 9, toSeq: 5 });
  });

  it('is refused with a typed error for a seq that is not a whole number ≥ 1', () => {
    for (const seq of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = errorOf(() => outbox.replayFrom(seq));
      expect(isAgentError(error, ErrorCode.OutboxReplayInvalid)).toBe(true);
    }
  });

  it('reports the age of the oldest unacknowledged entry on the monotonic clock within a boot', () => {
    clock.advance(42_000);
    expect(outbox.stats()).toMatchObject({
      headSeq: 5,
      ackedSeq: 0,
      ackedHash: null,
      backlogEvents: 5,
      oldestUnsentAgeSeconds: 42,
      sentSeq: 0,
      batchesSent: 0,
    });
  });
});

describe('a batch the broker refuses', () => {
  /** A connected link that refuses the first publish (as an ACL or a quota would) and takes the rest. */
  class RefusingLink implements Link {
    readonly state = 'connected' as const;
    readonly session: LinkSession = { connectionId: 1, window: 20, sessionPresent: false };
    readonly inflight = 0;
    readonly published: PublishRequest[] = [];
    private readonly listeners = new Set<(session: LinkSession) => void>();

    on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): () => void {
      if (event !== 'up') return () => {};
      const up = listener as (session: LinkSession) => void;
      this.listeners.add(up);
      return () => this.listeners.delete(up);
    }

    publish(request: PublishRequest): Promise<void> {
      this.published.push(request);
      if (this.published.length === 1)
        return Promise.reject(new LinkPublishRefused(request.topic, 0x97, 'Quota exceeded'));
      return Promise.resolve();
    }
  }

  it('is sent again from the cursor after the ack timeout, although nothing after it was taken', async () => {
    const { dir, cleanup } = makeTempDir('room-agent-outbox-');
    const clock = new FakeClock();
    const logger = createSilentLogger();
    const bus = new EventBus();
    const journal = Journal.open({ dataDir: dir, clock, logger, access: 'create', bus });
    for (let i = 0; i < 5; i++) journal.append('signin.accepted', { memberId: `m-${i}` });
    const link = new RefusingLink();
    const outbox = new EventOutbox({
      journal,
      link,
      topics,
      deviceId: 'room-1',
      limiter: new ByteRateLimiter(0),
      batchMaxEvents: 500,
      batchMaxBytes: 65_536,
      ackTimeoutMs: 200,
      bus,
      logger,
      clock,
    });
    try {
      outbox.start();
      const deadline = Date.now() + 5000;
      while (link.published.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(link.published.length).toBeGreaterThanOrEqual(2);
      const batch = decodeEventBatch(link.published[1]!.payload as Buffer, link.published[1]!.properties ?? {});
      expect([batch.fromSeq, batch.toSeq]).toEqual([1, 5]);
    } finally {
      await outbox.stop();
      journal.close();
      cleanup();
    }
  });
});
