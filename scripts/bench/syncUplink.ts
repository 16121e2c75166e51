/**
 * `sync-uplink`: 10,000 sign-ins backfilled through a proxy that behaves like a village 4G uplink
 * (40 ms each way, 1 Mbit/s up, 4 Mbit/s down: test/helpers/uplinkProxy.ts) to Mosquitto and the
 * reference CountyCenter, against a bare mqtt.js client publishing one JSON entry per QoS 1
 * message through the same proxy in the same run, once waiting for each PUBACK and once with 20
 * in flight. The bare runs are shortened to a fixed number of events and their rate extrapolated:
 * at ~12 events/s all 10,000 would take 14 minutes. The agent runs twice: with the backfill byte
 * cap off (the uplink is the limit) and with the default cap (county.backfillBytesPerSecond).
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { startUplinkProxy } from '../../test/helpers/uplinkProxy.js';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { perSecond, phase, withScope } from './syncHarness.js';
import { fillJournal } from './syncJournals.js';
import { runAgainstCenter, runBare } from './syncRuns.js';
import type { Bench, BenchRow } from './types.js';

const NAME = 'sync-uplink';
const EVENTS = 10_000;
const UPLINK = { delayMs: 40, upBitsPerSecond: 1_000_000, downBitsPerSecond: 4_000_000 };
/** About 17 s each at the rates a bare client reaches on this uplink (12/s one by one, 165/s with 20 in flight). */
const BARE_ONE_BY_ONE_EVENTS = 200;
const BARE_TWENTY_EVENTS = 2_500;
const RUN_TIMEOUT_MS = 300_000;
const DEFAULT_CAP = configSchema.shape.county.parse({ url: 'mqtt://127.0.0.1' }).backfillBytesPerSecond;

export const benchSyncUplink: Bench = () =>
  withScope(async (scope) => {
    const base = scope.tempDir('room-agent-bench-uplink-');
    const source = join(base, 'source');
    phase(NAME, `writing ${EVENTS} sign-ins through the journal`);
    fillJournal(source, EVENTS);
    const broker = await startMosquitto();
    scope.defer(() => broker.stop());
    const uplink = await startUplinkProxy({ targetPort: broker.port, ...UPLINK });
    scope.defer(() => uplink.close());

    const bare = async (window: number, limit: number) => {
      phase(NAME, `bare client through the uplink, ${limit} events, up to ${window} awaiting PUBACK`);
      return runBare(
        scope,
        { url: uplink.url, dataDir: source, window, limit },
        RUN_TIMEOUT_MS,
        `bare client through the uplink, window ${window}`,
      );
    };
    const oneByOne = await bare(1, BARE_ONE_BY_ONE_EVENTS);
    const twenty = await bare(20, BARE_TWENTY_EVENTS);

    const agent = async (name: string, backfillBytesPerSecond: number) => {
      phase(
        NAME,
        `agent through the uplink → county center, ${EVENTS} events, byte cap ${backfillBytesPerSecond || 'off'}`,
      );
      const dataDir = join(base, name);
      cpSync(source, dataDir, { recursive: true });
      const run = await runAgainstCenter(scope, {
        brokerUrl: broker.url,
        roomUrl: uplink.url,
        rooms: [{ deviceId: `bench-${name}`, dataDir }],
        county: { backfillBytesPerSecond },
        timeoutMs: RUN_TIMEOUT_MS,
        what: `uplink backfill (${name})`,
      });
      if (run.center.eventsStored !== EVENTS)
        throw new Error(`the center stored ${run.center.eventsStored} events, not ${EVENTS}`);
      const seconds = run.rooms.elapsedMs / 1000;
      return {
        rate: perSecond(run.rooms.events, run.rooms.elapsedMs),
        seconds,
        upPerEvent: run.rooms.wire.bytesUp / run.rooms.events,
        linkShare: (run.rooms.wire.bytesUp * 8) / (UPLINK.upBitsPerSecond * seconds),
      };
    };
    const uncapped = await agent('uncapped', 0);
    const capped = await agent('capped', DEFAULT_CAP);

    const slow = perSecond(oneByOne.events, oneByOne.elapsedMs);
    const windowed = perSecond(twenty.events, twenty.elapsedMs);
    const bareShare = (run: typeof twenty) =>
      (run.wire.bytesUp * 8) / (UPLINK.upBitsPerSecond * (run.elapsedMs / 1000));
    const rows: BenchRow[] = [
      {
        metric: 'agent, cap off vs bare waiting for each ack',
        value: uncapped.rate,
        unit: 'events/s',
        baseline: slow,
        ratio: uncapped.rate / slow,
        note: `until the center acknowledged all ${EVENTS} (${uncapped.seconds.toFixed(1)} s); aim ≥ 10x`,
      },
      {
        metric: 'agent, cap off vs bare with 20 in flight',
        value: uncapped.rate,
        unit: 'events/s',
        baseline: windowed,
        ratio: uncapped.rate / windowed,
      },
      {
        metric: 'link share used, agent (cap off)',
        value: uncapped.linkShare * 100,
        unit: '%',
        baseline: bareShare(twenty) * 100,
        ratio: uncapped.linkShare / bareShare(twenty),
        note: 'bytes up × 8 / (1 Mbit/s × elapsed); baseline = bare with 20 in flight',
      },
      {
        metric: 'bytes up per event',
        value: uncapped.upPerEvent,
        unit: 'B',
        baseline: twenty.wire.bytesUp / twenty.events,
        ratio: uncapped.upPerEvent / (twenty.wire.bytesUp / twenty.events),
      },
      {
        metric: `agent, default cap ${DEFAULT_CAP} B/s`,
        value: capped.rate,
        unit: 'events/s',
        baseline: slow,
        ratio: capped.rate / slow,
        note: `link share ${(capped.linkShare * 100).toFixed(0)} % (the cap is ${(((DEFAULT_CAP * 8) / UPLINK.upBitsPerSecond) * 100).toFixed(0)} % of this link)`,
      },
      {
        metric: 'bare client waiting for each ack',
        value: slow,
        unit: 'events/s',
        note: `first ${oneByOne.events} events, extrapolated; link share ${(bareShare(oneByOne) * 100).toFixed(1)} %`,
      },
      {
        metric: 'bare client with 20 in flight',
        value: windowed,
        unit: 'events/s',
        note: `first ${twenty.events} events, extrapolated; link share ${(bareShare(twenty) * 100).toFixed(0)} %`,
      },
    ];
    return {
      name: `sync over a village uplink (40 ms each way, 1 Mbit/s up, 4 Mbit/s down): ${EVENTS} sign-ins`,
      rows,
    };
  });
