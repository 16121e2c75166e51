import { expect, it } from 'vitest';
import { storedThrough, SYNC_TIMEOUT_MS, until, useSyncScenario } from '../helpers/syncScenario.js';
import { startTcpProxy } from '../helpers/tcpProxy.js';
import { startUplinkProxy } from '../helpers/uplinkProxy.js';

const scenario = useSyncScenario();

it("with Mosquitto's max_inflight_messages 5, never more than 5 unacknowledged publishes across a backfill of 1,000 events", async () => {
  // No byte cap and small batches: the room would have far more than 5 batches out if it could.
  const sync = await scenario({
    broker: { maxInflight: 5 },
    via: (port) => startTcpProxy({ targetPort: port }),
    county: { backfillBytesPerSecond: 0, batchMaxEvents: 20, maxInflight: 20 },
  });
  // 50 batches of 20: ten times the window, and quick to make on a busy machine.
  const head = await sync.backlogWhileOffline(1000);
  await sync.brokerBack();
  expect(await sync.waitSynced()).toBe(head);
  expect(sync.centerView()).toMatchObject({ stored: storedThrough(head), broken: null });
  const { stats } = sync.proxy;
  expect(stats.publishes).toBeGreaterThan(head / 20);
  expect(stats.maxInflight).toBeLessThanOrEqual(5);
  // The window was used, not avoided: several batches were out at once.
  expect(stats.maxInflight).toBeGreaterThan(1);
  expect((await sync.room.status()).sync.link.window).toBe(5);
});

/**
 * A low cap and small batches: the backlog takes fewer sign-ins to make, and the bytes on the wire
 * arrive a batch (~1.5 kB) at a time, so one batch more or less in the measured window moves the
 * rate by a few per cent, well inside the ±10 % being checked.
 */
const CAP = 8_192;

it('the backfill byte rate on the wire stays within ±10 % of county.backfillBytesPerSecond', async () => {
  // A proxy that only counts: no delay, a link far faster than the cap.
  const sync = await scenario({
    via: (port) => startUplinkProxy({ targetPort: port, delayMs: 0, upBitsPerSecond: 1e9, downBitsPerSecond: 1e9 }),
    county: { backfillBytesPerSecond: CAP, batchMaxEvents: 10 },
  });
  const head = await sync.backlogLasting(12, CAP);
  const samples: Array<{ at: number; bytes: number }> = [];
  const sampler = setInterval(() => samples.push({ at: performance.now(), bytes: sync.proxy.bytesUp }), 100);
  try {
    await sync.brokerBack();
    await until(
      () => sync.contiguous() >= head,
      SYNC_TIMEOUT_MS,
      () => `backfill through ${head} (at ${sync.contiguous()})`,
    );
  } finally {
    clearInterval(sampler);
  }
  const done = performance.now();
  // From the first backfill bytes, leaving out the first second's burst (the bucket starts full) and the tail.
  const first = samples.find(({ bytes }) => bytes > 4_096)!;
  const from = samples.find(({ at }) => at >= first.at + 1_500)!;
  const to = samples.filter(({ at }) => at <= done - 1_000).at(-1)!;
  expect(to.at - from.at).toBeGreaterThan(5_000);
  const rate = ((to.bytes - from.bytes) * 1000) / (to.at - from.at);
  expect(rate).toBeGreaterThan(CAP * 0.9);
  expect(rate).toBeLessThan(CAP * 1.1);
  expect(await sync.waitSynced()).toBe(head);
});
