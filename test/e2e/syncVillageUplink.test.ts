import { expect, it } from 'vitest';
import type { BatchOutcome } from '../../src/center/ingest.js';
import { until, useSyncScenario } from '../helpers/syncScenario.js';
import { startUplinkProxy } from '../helpers/uplinkProxy.js';

const scenario = useSyncScenario();

const BACKFILL_BYTES_PER_SECOND = 4_096;

it('through a village uplink (40 ms each way, 1 Mbit/s up, 4 down) with over 60 s of backfill pending, a fresh sign-in is stored by the center within 5 s', async () => {
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
    10_000,
    () => `seq ${fresh.seq} stored`,
  );
  const storedAt = stored.find(({ outcome }) => outcome.fromSeq <= fresh.seq && fresh.seq <= outcome.toSeq)!.at;
  expect(storedAt - fresh.repliedAt).toBeLessThan(5_000);
  // It overtook the backlog: the center's verified prefix is still far behind it.
  expect(sync.contiguous()).toBeLessThan(head / 2);
  expect(center.storedSeqs(room.deviceId)).toContain(fresh.seq);
});
