import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { TestCenter, TestRoom, waitUntil } from './outboxHarness.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('the journal outbox against a real Mosquitto', () => {
  let broker: Mosquitto;
  let center: TestCenter | undefined;
  let rooms: TestRoom[] = [];
  let cleanup = (): void => {};
  let dir = '';

  beforeEach(async () => {
    ({ dir, cleanup } = makeTempDir('room-agent-outbox-'));
    broker = await startMosquitto();
  });

  afterEach(async () => {
    for (const room of rooms) await room.stop().catch(() => undefined);
    rooms = [];
    await center?.stop();
    center = undefined;
    await broker.stop();
    cleanup();
  });

  const openRoom = (county: ConstructorParameters<typeof TestRoom>[0]['county'] = {}): TestRoom => {
    const room = new TestRoom({ dir, url: broker.url, county });
    rooms.push(room);
    return room;
  };

  it('delivers 1,000 events recorded while the broker was down, exactly 1..1000, and the cursor reaches the head', async () => {
    center = await TestCenter.start(broker.url, 'room-1');
    await broker.pause();
    const room = openRoom();
    room.start();
    room.appendSignIns(1000);
    expect(room.link.state).not.toBe('connected');
    await broker.start();
    await waitUntil(
      () => room.cursorSeq() === 1000,
      30_000,
      () => `cursor ${room.cursorSeq()}, center holds ${center!.stored.size}`,
    );
    expect(center.storedSeqs()).toEqual(range(1, 1000));
    expect(center.chainBreaks).toBe(0);
    expect(center.undecodable).toBe(0);
    const stats = room.outbox.stats();
    expect(stats).toMatchObject({
      headSeq: 1000,
      ackedSeq: 1000,
      ackedHash: stats.headHash,
      backlogEvents: 0,
      oldestUnsentAgeSeconds: null,
      sentSeq: 1000,
    });
    expect(stats.eventsSent).toBe(1000 + center.duplicates);
    // 1,000 sign-ins are far more than one batch: they went as several, none larger than the bounds.
    expect(stats.batchesSent).toBeGreaterThan(1);
    for (const batch of center.arrived)
      expect(batch.toSeq - batch.fromSeq + 1).toBeLessThanOrEqual(room.county.batchMaxEvents);
    expect(center.arrived.every((batch) => batch.lane === 'backfill')).toBe(true);
  });

  it('completes a backfill cut by a broker restart, and a restarted outbox resumes from the sync cursor', async () => {
    center = await TestCenter.start(broker.url, 'room-1');
    // A cap slow enough that the backlog is still draining when the broker restarts.
    const county = { backfillBytesPerSecond: 40_000, batchMaxBytes: 16_384 };
    const first = openRoom(county);
    first.appendSignIns(1500);
    first.start();
    await waitUntil(
      () => center!.contiguous >= 300,
      20_000,
      () => `center holds ${center!.contiguous}`,
    );
    await broker.restart();
    await waitUntil(
      () => center!.contiguous >= 700 && first.cursorSeq() >= 700,
      20_000,
      () => `center holds ${center!.contiguous}, cursor ${first.cursorSeq()}`,
    );

    // The daemon restarts mid-backfill: only the journal (and its cursor) carries over.
    const cursorAtStop = first.cursorSeq();
    await first.stop();
    rooms = rooms.filter((room) => room !== first);
    expect(cursorAtStop).toBeLessThan(1500);
    const second = openRoom(county);
    expect(second.cursorSeq()).toBe(cursorAtStop);
    second.start();
    await waitUntil(
      () => second.cursorSeq() === 1500,
      30_000,
      () => `cursor ${second.cursorSeq()}, center holds ${center!.contiguous}`,
    );

    expect(center.storedSeqs()).toEqual(range(1, 1500));
    expect(center.chainBreaks).toBe(0);
    // The second process sent at most what lay after the cursor, not the journal from seq 1. Less
    // when batches the first sent just before it stopped reached the center anyway: their acks
    // come to the second, which then need not send them.
    const stats = second.outbox.stats();
    expect(stats).toMatchObject({ ackedSeq: 1500, backlogEvents: 0 });
    expect(stats.eventsSent).toBeGreaterThan(0);
    expect(stats.eventsSent).toBeLessThanOrEqual(1500 - cursorAtStop);
  });
});
