import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { TestCenter, TestRoom, waitUntil } from './outboxHarness.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, index) => from + index);

/** A PUBACK is not proof of delivery: what the center never acknowledges is sent again from the cursor. */
describe('the outbox when the center does not acknowledge', () => {
  let broker: Mosquitto;
  let center: TestCenter;
  let room: TestRoom;
  let cleanup = (): void => {};

  beforeEach(async () => {
    const temp = makeTempDir('room-agent-outbox-');
    cleanup = temp.cleanup;
    broker = await startMosquitto();
    center = await TestCenter.start(broker.url, 'room-1');
    room = new TestRoom({ dir: temp.dir, url: broker.url, county: { ackTimeoutSeconds: 1, batchMaxEvents: 100 } });
  });

  afterEach(async () => {
    await room.stop();
    await center.stop();
    await broker.stop();
    cleanup();
  });

  it('sends again from the cursor after the ack timeout when a batch was lost, leaving no gap', async () => {
    let dropped = 0;
    // The broker "loses" the batches holding seq 301 and 302 the first time they come.
    center.drop = (batch) => dropped < 2 && batch.fromSeq <= 302 && 301 <= batch.toSeq && ++dropped > 0;
    room.appendSignIns(1000);
    room.start();
    await waitUntil(
      () => room.outbox.stats().sentSeq === 1000,
      20_000,
      () => `sent ${room.outbox.stats().sentSeq}`,
    );
    expect(dropped).toBeGreaterThan(0);
    expect(room.cursorSeq()).toBe(300);
    await waitUntil(
      () => room.cursorSeq() === 1000,
      20_000,
      () => `cursor ${room.cursorSeq()}, center holds ${center.contiguous}`,
    );
    expect(center.storedSeqs()).toEqual(range(1, 1000));
    expect(center.chainBreaks).toBe(0);
    // The resend started at the cursor with one batch, and the center's ack for it skipped what
    // it already held: only the lost stretch came again, nothing was stored twice.
    const resent = center.arrived.filter(
      (batch, index) => center.arrived.findIndex((other) => other.fromSeq === batch.fromSeq) !== index,
    );
    expect(resent.map((batch) => batch.fromSeq)).toEqual(resent.map(() => 301));
    expect(center.duplicates).toBe(0);
  });

  it('keeps resending, less and less often, until the center acknowledges again', async () => {
    center.acking = false;
    room.appendSignIns(50);
    room.start();
    await waitUntil(
      () => center.stored.size === 50,
      10_000,
      () => `center holds ${center.stored.size}`,
    );
    // Without acks every resend repeats the whole backlog from the cursor (seq 1).
    await waitUntil(
      () => center.arrived.filter((batch) => batch.fromSeq === 1).length >= 3,
      10_000,
      () => `${center.arrived.length} batches arrived`,
    );
    const starts = center.arrived.filter((batch) => batch.fromSeq === 1).map((batch) => batch.at);
    // The wait doubles after each fruitless resend: 1 s, then 2 s (each up to a 250 ms tick later).
    expect(starts[2]! - starts[1]! - (starts[1]! - starts[0]!)).toBeGreaterThan(400);
    expect(room.cursorSeq()).toBe(0);
    center.acking = true;
    await waitUntil(
      () => room.cursorSeq() === 50,
      15_000,
      () => `cursor ${room.cursorSeq()}`,
    );
    expect(room.outbox.stats()).toMatchObject({ ackedSeq: 50, backlogEvents: 0 });
  });

  it('resends with a one-batch probe, not the whole backlog again, until the center acknowledges', async () => {
    center.acking = false;
    room.appendSignIns(300);
    room.start();
    const startsOfSeq1 = (): number[] => center.arrived.filter((batch) => batch.fromSeq === 1).map((batch) => batch.at);
    await waitUntil(
      () => startsOfSeq1().length >= 3,
      15_000,
      () => `${center.arrived.length} batches arrived`,
    );
    const [first, probe] = startsOfSeq1();
    // The first send was the whole backlog, in several batches ...
    expect(Math.max(...center.arrived.filter((batch) => batch.at < probe!).map((batch) => batch.toSeq))).toBe(300);
    expect(center.arrived.filter((batch) => batch.at >= first! && batch.at < probe!).length).toBeGreaterThan(1);
    // ... every resend since, a single batch from the cursor.
    expect(center.arrived.filter((batch) => batch.at >= probe!).map((batch) => batch.fromSeq)).toEqual(
      startsOfSeq1()
        .slice(1)
        .map(() => 1),
    );
    center.acking = true;
    await waitUntil(
      () => room.cursorSeq() === 300,
      20_000,
      () => `cursor ${room.cursorSeq()}`,
    );
    expect(center.storedSeqs()).toEqual(range(1, 300));
  });

  it("sends again from the seq the center's replay asks for, below the cursor too", async () => {
    room.appendSignIns(100);
    room.start();
    await waitUntil(
      () => room.cursorSeq() === 100,
      10_000,
      () => `cursor ${room.cursorSeq()}`,
    );
    expect(center.duplicates).toBe(0);
    expect(room.outbox.replayFrom(40)).toEqual({ fromSeq: 40, toSeq: 100 });
    await waitUntil(
      () => center.duplicates === 61,
      10_000,
      () => `${center.duplicates} duplicates`,
    );
    const replayed = center.arrived.filter((batch) => batch.toSeq === 100).at(-1)!;
    expect(center.arrived.filter((batch) => batch.fromSeq === 40)).toHaveLength(1);
    expect(replayed.lane).toBe('backfill');
    expect(room.cursorSeq()).toBe(100);
  });
});
