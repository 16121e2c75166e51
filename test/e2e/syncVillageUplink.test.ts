import { expect, it } from 'vitest';
import type { BatchOutcome } from '../../src/center/ingest.js';
import { until, useSyncScenario } from '../helpers/syncScenario.js';
import { startUplinkProxy } from '../helpers/uplinkProxy.js';

const scenario = useSyncScenario();

/** Low, so that the minute and more of backlog the test needs is some 1,500 sign-ins to make, not 3,000. */
const BACKFILL_BYTES_PER_SECOND = 2_048;
/**
 * How long the fresh sign-in may take to be stored: a quarter of the minute the backlog ahead of it
 * still takes at the cap, so meeting it means it did not wait its turn; generous, because two busy
 * cores stretch every hop (a quiet machine takes well under a second).
 */
const LIVE_BOUND_MS = 15_000;

it('through a village uplink (40 ms each way, 1 Mbit/s up, 4 down) with over 60 s of backfill pending, a fresh sign-in overtakes the backlog and is stored by the center within seconds', async () => {
  const sync = await scenario({
    via: (port) =>
      startUplinkProxy({ targetPort: port, delayMs: 40, upBitsPerSecond: 1_000_000, downBitsPerSecond: 4_000_000 }),
    county: { backfillBytesPerSecond: BACKFILL_BYTES_PER_SECOND },
  });
  const { room } = sync;
  const head = await sync.backlogLasting(80, BACKFILL_BYTES_PER_SECOND);
  const center = await sync.brokerBack();
  await sync.waitCenterPast(0);
  // What the center still lacks when the fresh sign-in comes: over a minute's worth at the cap.
  expect(room.wireBytes(sync.contiguous())).toBeGreaterThan(60 * BACKFILL_BYTES_PER_SECOND);

  const stored: Array<{ outcome: BatchOutcome; at: number }> = [];
  center.on('stored', (outcome) => stored.push({ outcome, at: performance.now() }));
  const fresh = await room.signIn();
  await until(
    () => stored.some(({ outcome }) => outcome.fromSeq <= fresh.seq && fresh.seq <= outcome.toSeq),
    LIVE_BOUND_MS,
    () => `seq ${fresh.seq} stored`,
  );
  const storedAt = stored.find(({ outcome }) => outcome.fromSeq <= fresh.seq && fresh.seq <= outcome.toSeq)!.at;
  expect(storedAt - fresh.repliedAt).toBeLessThan(LIVE_BOUND_MS);
  // It overtook the backlog: the center's verified prefix is still far behind it.
  expect(sync.contiguous()).toBeLessThan(head / 2);
  expect(center.storedSeqs(room.deviceId)).toContain(fresh.seq);
});
