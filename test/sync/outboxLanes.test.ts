import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { TestCenter, TestRoom, waitUntil } from './outboxHarness.js';

describe('the live lane and the byte-rate cap of the backfill', () => {
  let broker: Mosquitto;
  let center: TestCenter;
  let room: TestRoom | undefined;
  let cleanup = (): void => {};
  let dir = '';

  beforeEach(async () => {
    ({ dir, cleanup } = makeTempDir('room-agent-outbox-'));
    broker = await startMosquitto();
    center = await TestCenter.start(broker.url, 'room-1');
  });

  afterEach(async () => {
    await room?.stop();
    room = undefined;
    await center.stop();
    await broker.stop();
    cleanup();
  });

  it('gets a fresh sign-in to the center ahead of a capped backfill that still drains, and sends it once', async () => {
    // 1,500 sign-ins are some 160 kB on the wire: 10 s at the cap, so the backlog is still draining
    // for seconds after the fresh entry however slowly a busy machine runs this test.
    room = new TestRoom({ dir, url: broker.url, county: { backfillBytesPerSecond: 16_000, batchMaxBytes: 16_384 } });
    room.appendSignIns(1500);
    room.start();
    await waitUntil(
      () => center.contiguous >= 200,
      15_000,
      () => `center holds ${center.contiguous}`,
    );

    const fresh = room.journal.append('signin.accepted', { memberId: 'm-fresh', page: 1, score: 150 });
    // A generous bound (a quiet machine takes milliseconds), well inside the backlog's drain.
    await waitUntil(
      () => center.stored.has(fresh.seq),
      5000,
      () => `center holds ${center.contiguous} of ${fresh.seq}`,
    );

    expect(center.arrived.find((batch) => batch.fromSeq <= fresh.seq && fresh.seq <= batch.toSeq)).toMatchObject({
      lane: 'live',
      fromSeq: fresh.seq,
      toSeq: fresh.seq,
    });
    // It overtook the backlog, which is still draining, and the cursor does not jump the gap the live batch left.
    expect(center.contiguous).toBeLessThan(1500);
    expect(room.cursorSeq()).toBeLessThan(1500);

    // A bulk of fresh entries is too much for the live lane: the backfill takes it, skipping the entry that went live.
    room.appendSignIns(600, 1500);
    await waitUntil(
      () => room!.cursorSeq() === 2101,
      30_000,
      () => `cursor ${room!.cursorSeq()}, center holds ${center.contiguous}`,
    );
    expect(center.stored.size).toBe(2101);
    expect(center.duplicates).toBe(0);
    expect(center.arrived.filter((batch) => batch.lane === 'live')).toHaveLength(1);
  });

  it('holds the backfill to its byte-rate cap at every moment, charging the limiter exactly the bytes on the wire', async () => {
    const cap = 50_000;
    room = new TestRoom({ dir, url: broker.url, county: { backfillBytesPerSecond: cap, batchMaxBytes: 16_384 } });
    // What the limiter let go, in order (a take aborted by an ack timeout sends nothing).
    const charged: number[] = [];
    const take = room.limiter.take.bind(room.limiter);
    vi.spyOn(room.limiter, 'take').mockImplementation(async (bytes, signal) => {
      await take(bytes, signal);
      charged.push(bytes);
    });
    // About 300 kB on the wire: some 6 s at the cap.
    room.appendSignIns(2800);
    const startedAt = performance.now();
    room.start();
    await waitUntil(
      () => room!.cursorSeq() === 2800,
      30_000,
      () => `cursor ${room!.cursorSeq()}`,
    );

    // The bucket starts full (one second's bytes) and refills at the cap: by any moment no more than
    // that can have been sent. Checked at arrival, which is never before sending, so a busy machine
    // only loosens the bound, and at every batch, so a burst anywhere fails it.
    const arrived = center.arrived;
    expect(arrived.length).toBeGreaterThan(15);
    let sent = 0;
    for (const batch of arrived) {
      sent += batch.bytes;
      expect(sent).toBeLessThanOrEqual(cap + (cap * (batch.at - startedAt)) / 1000);
    }
    // And the cap is used, not undercut: each batch was charged its size on the wire (its payload and
    // the few hundred bytes at most of its publish's header, topic and properties), once, so the
    // limiter's rate (rateLimiter.test.ts, on fake timers) is the rate on the wire. How fast the
    // batches then arrive depends on how busy the machine is, and is not asserted.
    expect(charged).toHaveLength(arrived.length);
    arrived.forEach((batch, index) => {
      expect(charged[index]! - batch.bytes).toBeGreaterThanOrEqual(0);
      expect(charged[index]! - batch.bytes).toBeLessThan(256);
    });
  });
});
