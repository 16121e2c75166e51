/**
 * `uplink-share`: a live camera push (the test camera's 320×180 sub-stream, copied) and a backfill
 * of 20,000 sign-ins (`--events=N`) at once, the real daemon through ONE shaped village uplink
 * (40 ms each way, 1 Mbit/s up, 4 down: test/helpers/uplinkProxy.ts with two routes, Mosquitto
 * and nginx-rtmp behind it) to the reference county center, as test/e2e/uplinkBudget.test.ts runs
 * it (test/helpers/uplinkShareRoom.ts). The backlog has no byte cap, so the link is the limit.
 * Measured with the uplink budget (county.uplinkBytesPerSecond = the link) and, as the baseline
 * in the same run, without it (0, the behaviour before the budget): the link share used by push
 * and backfill together during the backfill (bytes delivered up through the proxy per second ÷
 * the link's rate), the frames nginx received ÷ the frames the camera sent, a fresh sign-in's
 * time to the center and the backfill's time.
 */
import {
  UPLINK_BYTES_PER_SECOND,
  UplinkShareRoom,
  type UplinkShareResult,
} from '../../test/helpers/uplinkShareRoom.js';
import { countOption, phase, withScope } from './syncHarness.js';
import type { Bench, BenchRow } from './types.js';

const NAME = 'uplink-share';
const DEFAULT_EVENTS = 20_000;

export const benchUplinkShare: Bench = (options) =>
  withScope(async (scope) => {
    const events = countOption(options, 'events', DEFAULT_EVENTS);
    const run = async (what: string, uplinkBytesPerSecond: number): Promise<UplinkShareResult> => {
      phase(NAME, `${what}: push live, then a backfill of ${events} sign-ins beside it`);
      const room = await UplinkShareRoom.start({ uplinkBytesPerSecond, events });
      scope.defer(() => room.close());
      const result = await room.run();
      await room.close();
      return result;
    };
    const without = await run('without the budget (county.uplinkBytesPerSecond 0)', 0);
    const withBudget = await run(
      `with the budget (county.uplinkBytesPerSecond ${UPLINK_BYTES_PER_SECOND})`,
      UPLINK_BYTES_PER_SECOND,
    );

    const percent = (share: number): number => share * 100;
    const rows: BenchRow[] = [
      {
        metric: 'link share used by push + backfill together, with the budget',
        value: percent(withBudget.linkShare),
        unit: '%',
        baseline: percent(without.linkShare),
        ratio: withBudget.linkShare / without.linkShare,
        note: `bytes up through the proxy (MQTT + RTMP) per second during the backfill ÷ 1 Mbit/s; baseline = without the budget; the push's part ${percent(withBudget.pushShare).toFixed(0)} % with, ${percent(without.pushShare).toFixed(0)} % without; budget ${withBudget.budget?.bytesPerSecond ?? '?'} B/s at push ${withBudget.pushKbps} kbit/s`,
      },
      {
        metric: 'frames received ÷ sent during the backfill, with the budget',
        value: withBudget.framesRatio,
        unit: 'ratio',
        baseline: without.framesRatio,
        ratio: withBudget.framesRatio / without.framesRatio,
        note: `nginx's count over ${(withBudget.framesWindowMs / 1000).toFixed(0)} s (without: ${(without.framesWindowMs / 1000).toFixed(0)} s) ÷ 25 fps; baseline = without the budget; aim ≥ 0.9`,
      },
      {
        metric: 'fresh sign-in to the center during the backfill, with the budget',
        value: withBudget.signInMs,
        unit: 'ms',
        baseline: without.signInMs,
        ratio: withBudget.signInMs / without.signInMs,
        note: 'from the sign-in reply to the center storing it; baseline = without the budget; aim < 5000 ms',
      },
      {
        metric: 'backfill time, with the budget',
        value: withBudget.backfillMs / 1000,
        unit: 's',
        baseline: without.backfillMs / 1000,
        ratio: withBudget.backfillMs / without.backfillMs,
        note: `from the broker's return until the center held all ${withBudget.head} entries and acknowledged them; baseline = without the budget (the backlog takes what the push leaves)`,
      },
    ];
    return {
      name: `one uplink, one budget: a live push and a backfill of ${events} sign-ins through one 1 Mbit/s uplink`,
      rows,
    };
  });
