/**
 * `sync-uplink`: 3,000 sign-ins (`--events=N` for another count) backfilled through a proxy that
 * behaves like a village 4G uplink (40 ms each way, 1 Mbit/s up, 4 Mbit/s down:
 * test/helpers/uplinkProxy.ts) to Mosquitto and the reference CountyCenter. Baselines, through the
 * same proxy in the same run, every one over the same events as the agent (no extrapolation; the
 * default count keeps the slowest, ~12 events/s, to about four minutes):
 *   fair:  the agent's own batches sent by a bare mqtt.js client with the agent's in-flight window,
 *          until the center acknowledged the head (syncBareBatches.ts);
 *   naive: one JSON entry per QoS 1 message, once waiting for each PUBACK and once with 20 in
 *          flight, until the last PUBACK (syncBareClient.ts).
 * The agent runs with the backfill byte cap off (the uplink is the limit), in two rounds with the
 * fair baseline (`--rounds=N`), ABBA, rates the median; then once with the default cap
 * (county.backfillBytesPerSecond).
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { startUplinkProxy } from '../../test/helpers/uplinkProxy.js';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { countOption, inOrder, median, perSecond, phase, withScope } from './syncHarness.js';
import { fillJournal } from './syncJournals.js';
import { runAgainstCenter, runBare, runBatchesAgainstCenter } from './syncRuns.js';
import type { Bench, BenchRow } from './types.js';

const NAME = 'sync-uplink';
const DEFAULT_EVENTS = 3_000;
const UPLINK = { delayMs: 40, upBitsPerSecond: 1_000_000, downBitsPerSecond: 4_000_000 };
/** Fair baseline and agent (cap off), each this many times (`--rounds=N`), alternating. */
const DEFAULT_ROUNDS = 2;
/** A run's limit: the naive client waiting for each PUBACK manages ~12 events/s through this uplink. */
const runTimeoutMs = (events: number): number => 120_000 + events * 150;
const DEFAULT_CAP = configSchema.shape.county.parse({ url: 'mqtt://127.0.0.1' }).backfillBytesPerSecond;

export const benchSyncUplink: Bench = (options) =>
  withScope(async (scope) => {
    const events = countOption(options, 'events', DEFAULT_EVENTS);
    const timeoutMs = runTimeoutMs(events);
    const roundCount = countOption(options, 'rounds', DEFAULT_ROUNDS);
    const base = scope.tempDir('room-agent-bench-uplink-');
    const source = join(base, 'source');
    phase(NAME, `writing ${events} sign-ins through the journal`);
    fillJournal(source, events);
    const broker = await startMosquitto();
    scope.defer(() => broker.stop());
    const uplink = await startUplinkProxy({ targetPort: broker.port, ...UPLINK });
    scope.defer(() => uplink.close());

    const naive = async (window: number) => {
      phase(NAME, `naive client through the uplink, ${events} events, up to ${window} awaiting PUBACK`);
      return runBare(
        scope,
        { url: uplink.url, dataDir: source, window },
        timeoutMs,
        `naive client through the uplink, window ${window}`,
      );
    };
    const oneByOne = await naive(1);
    const twenty = await naive(20);

    const fairRun = async (round: number) => {
      phase(
        NAME,
        `round ${round}: bare client, the agent's batches through the uplink → county center, ${events} events`,
      );
      const run = await runBatchesAgainstCenter(scope, {
        brokerUrl: broker.url,
        roomUrl: uplink.url,
        room: { deviceId: `bench-batches-${round}`, dataDir: source },
        county: {},
        timeoutMs,
        what: "the agent's batches, bare, through the uplink",
      });
      if (run.center.eventsStored !== events)
        throw new Error(`the center stored ${run.center.eventsStored} events from the bare batches, not ${events}`);
      return run.batches;
    };

    const agent = async (name: string, backfillBytesPerSecond: number) => {
      phase(
        NAME,
        `agent (${name}) through the uplink → county center, ${events} events, byte cap ${backfillBytesPerSecond || 'off'}`,
      );
      const dataDir = join(base, name);
      cpSync(source, dataDir, { recursive: true });
      const run = await runAgainstCenter(scope, {
        brokerUrl: broker.url,
        roomUrl: uplink.url,
        rooms: [{ deviceId: `bench-${name}`, dataDir }],
        county: { backfillBytesPerSecond },
        timeoutMs,
        what: `uplink backfill (${name})`,
      });
      if (run.center.eventsStored !== events)
        throw new Error(`the center stored ${run.center.eventsStored} events, not ${events}`);
      const seconds = run.rooms.elapsedMs / 1000;
      return {
        rate: perSecond(run.rooms.events, run.rooms.elapsedMs),
        upPerEvent: run.rooms.wire.bytesUp / run.rooms.events,
        linkShare: (run.rooms.wire.bytesUp * 8) / (UPLINK.upBitsPerSecond * seconds),
      };
    };
    // Fair baseline and agent (cap off) alternate, ABBA: a machine whose load drifts one way favours neither.
    const rounds: Array<{ fair: Awaited<ReturnType<typeof fairRun>>; agent: Awaited<ReturnType<typeof agent>> }> = [];
    for (let round = 1; round <= roundCount; round += 1) {
      const [fairResult, agentResult] = await inOrder(
        round % 2 === 0,
        () => fairRun(round),
        () => agent(`uncapped-${round}`, 0),
      );
      rounds.push({ fair: fairResult, agent: agentResult });
    }
    // Rates are the median over the rounds; bytes and link shares come from the first.
    const { fair, agent: uncapped } = rounds[0]!;
    const uncappedRate = median(rounds.map((round) => round.agent.rate));
    const capped = await agent('capped', DEFAULT_CAP);

    const slow = perSecond(oneByOne.events, oneByOne.elapsedMs);
    const windowed = perSecond(twenty.events, twenty.elapsedMs);
    const fairRate = median(rounds.map((round) => perSecond(round.fair.events, round.fair.elapsedMs)));
    const share = (run: { wire: { bytesUp: number }; elapsedMs: number }) =>
      (run.wire.bytesUp * 8) / (UPLINK.upBitsPerSecond * (run.elapsedMs / 1000));
    const rows: BenchRow[] = [
      {
        metric: "agent, cap off vs bare with the agent's batches",
        value: uncappedRate,
        unit: 'events/s',
        baseline: fairRate,
        ratio: uncappedRate / fairRate,
        note: `until the center acknowledged all ${events}; baseline = the same ${fair.batches} encoded batches, ${fair.window} in flight, bare; rounds: ${rounds.map((round) => `${(round.agent.rate / perSecond(round.fair.events, round.fair.elapsedMs)).toFixed(2)}x`).join(', ')}; aim ≈ 1x`,
      },
      {
        metric: 'agent, cap off vs naive waiting for each ack',
        value: uncappedRate,
        unit: 'events/s',
        baseline: slow,
        ratio: uncappedRate / slow,
        note: 'baseline = one JSON entry per message, until its PUBACK; measures batching; aim ≥ 10x',
      },
      {
        metric: 'agent, cap off vs naive with 20 in flight',
        value: uncappedRate,
        unit: 'events/s',
        baseline: windowed,
        ratio: uncappedRate / windowed,
      },
      {
        metric: 'link share used, agent (cap off)',
        value: uncapped.linkShare * 100,
        unit: '%',
        baseline: share(fair) * 100,
        ratio: uncapped.linkShare / share(fair),
        note: `bytes up × 8 / (1 Mbit/s × elapsed); baseline = bare with the agent's batches; naive with 20 in flight ${(share(twenty) * 100).toFixed(0)} %`,
      },
      {
        metric: 'bytes up per event',
        value: uncapped.upPerEvent,
        unit: 'B',
        baseline: twenty.wire.bytesUp / twenty.events,
        ratio: uncapped.upPerEvent / (twenty.wire.bytesUp / twenty.events),
        note: `baseline = naive with 20 in flight; bare with the agent's batches ${(fair.wire.bytesUp / fair.events).toFixed(1)} B`,
      },
      {
        metric: `agent, default cap ${DEFAULT_CAP} B/s`,
        value: capped.rate,
        unit: 'events/s',
        baseline: slow,
        ratio: capped.rate / slow,
        note: `baseline = naive waiting for each ack; link share ${(capped.linkShare * 100).toFixed(0)} % (the cap is ${(((DEFAULT_CAP * 8) / UPLINK.upBitsPerSecond) * 100).toFixed(0)} % of this link)`,
      },
      {
        metric: "bare client with the agent's batches",
        value: fairRate,
        unit: 'events/s',
        note: `all ${fair.events} events, until the center acknowledged the head; link share ${(share(fair) * 100).toFixed(0)} %`,
      },
      {
        metric: 'naive client waiting for each ack',
        value: slow,
        unit: 'events/s',
        note: `all ${oneByOne.events} events, until the last PUBACK; link share ${(share(oneByOne) * 100).toFixed(1)} %`,
      },
      {
        metric: 'naive client with 20 in flight',
        value: windowed,
        unit: 'events/s',
        note: `all ${twenty.events} events, until the last PUBACK; link share ${(share(twenty) * 100).toFixed(0)} %`,
      },
    ];
    return {
      name: `sync over a village uplink (40 ms each way, 1 Mbit/s up, 4 Mbit/s down): ${events} sign-ins`,
      rows,
    };
  });
