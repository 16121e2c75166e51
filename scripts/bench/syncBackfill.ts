/**
 * `sync-backfill`: a room's backlog of 100,000 sign-ins (`--events=N` for another size) backfilled
 * to a real Mosquitto on loopback. Two baselines in the same run:
 *   fair:  the bare mqtt.js client sending the agent's own batches (cut and encoded by the outbox's
 *          code before the clock starts, so the same bytes) with the agent's in-flight window, to
 *          the same kind of receiver, timed like the agent until the receiver acknowledged the
 *          head (syncBareBatches.ts): the same work minus the agent's machinery, which should cost
 *          close to nothing against it.
 *   naive: a bare mqtt.js client publishing the same entries one JSON entry per QoS 1 message,
 *          timed until the last PUBACK of the broker, which stores nothing and forwards to nobody
 *          (syncBareClient.ts): what a naive integration does; the ratio measures batching.
 * The room (MqttLink + EventOutbox, the byte cap off) runs in a process of its own; the receiving
 * side in another: the reference CountyCenter, and for the room's own ceiling a receiver that only
 * decodes and acknowledges. Fair baseline and agent run in two rounds (`--rounds=N`), ABBA, and
 * their rates are the median; each round's ratio is shown. Bytes are what the sending process's
 * TCP sockets wrote and read; nothing sits between them and the broker.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { FIRE_ALL_WINDOW } from './syncBareClient.js';
import { countOption, inOrder, mebibytes, median, perSecond, phase, withScope } from './syncHarness.js';
import { fillJournal } from './syncJournals.js';
import {
  runAgainstAcker,
  runAgainstCenter,
  runBare,
  runBatchesAgainstAcker,
  runBatchesAgainstCenter,
} from './syncRuns.js';
import type { Bench, BenchRow } from './types.js';

const NAME = 'sync-backfill';
const DEFAULT_EVENTS = 100_000;
/** Waiting for each PUBACK (or mqtt.js replaying its offline store, which does the same) is slow: this many give its rate. */
const ONE_BY_ONE_MAX_EVENTS = 10_000;
const RUN_TIMEOUT_MS = 240_000;
/** Fair baseline and agent, each this many times (`--rounds=N`), alternating. */
const DEFAULT_ROUNDS = 2;
/** The agent as a room runs it, but with the backfill byte cap off: loopback has no uplink to spare. */
const COUNTY = { backfillBytesPerSecond: 0 };

export const benchSyncBackfill: Bench = (benchOptions) =>
  withScope(async (scope) => {
    const events = countOption(benchOptions, 'events', DEFAULT_EVENTS);
    const oneByOneEvents = Math.min(events, ONE_BY_ONE_MAX_EVENTS);
    const roundCount = countOption(benchOptions, 'rounds', DEFAULT_ROUNDS);
    const base = scope.tempDir('room-agent-bench-backfill-');
    const source = join(base, 'source');
    phase(NAME, `writing ${events} sign-ins through the journal`);
    const fillStarted = performance.now();
    fillJournal(source, events);
    const fillMs = performance.now() - fillStarted;
    const broker = await startMosquitto();
    scope.defer(() => broker.stop());

    const bare = async (window: number, limit?: number, offline?: boolean) => {
      phase(
        NAME,
        `bare client, ${limit ?? events} events, ${offline === true ? "replayed from mqtt.js's offline store" : `up to ${window} awaiting PUBACK`}`,
      );
      return runBare(
        scope,
        { url: broker.url, dataDir: source, window, limit, offline },
        RUN_TIMEOUT_MS,
        `bare client, window ${window}`,
      );
    };
    const fireAll = await bare(FIRE_ALL_WINDOW);
    const twenty = await bare(20);
    const oneByOne = await bare(1, oneByOneEvents);
    const offline = await bare(oneByOneEvents, oneByOneEvents, true);

    // Each agent run gets its own copy of the room: a run moves the cursor of the journal it backfills.
    const room = (name: string) => {
      const dataDir = join(base, name);
      cpSync(source, dataDir, { recursive: true });
      return [{ deviceId: `bench-${name}`, dataDir }];
    };
    const options = { brokerUrl: broker.url, roomUrl: broker.url, county: COUNTY, timeoutMs: RUN_TIMEOUT_MS };
    const bareRoom = (name: string) => ({ deviceId: `bench-${name}`, dataDir: source });
    const storedAll = (stored: number, what: string): void => {
      if (stored !== events) throw new Error(`the center stored ${stored} events from the ${what}, not ${events}`);
    };
    const fairToAcker = (round: number) => () => {
      phase(NAME, `round ${round}: bare client, the agent's batches → decode-and-ack receiver`);
      return runBatchesAgainstAcker(scope, {
        ...options,
        room: bareRoom(`batches-acker-${round}`),
        what: "the agent's batches, bare, to the acknowledging receiver",
      });
    };
    const agentToAcker = (round: number) => () => {
      phase(NAME, `round ${round}: agent → decode-and-ack receiver`);
      return runAgainstAcker(scope, {
        ...options,
        rooms: room(`acker-${round}`),
        what: 'backfill to the acknowledging receiver',
      });
    };
    const fairToCenter = (round: number) => async () => {
      phase(NAME, `round ${round}: bare client, the agent's batches → county center`);
      const run = await runBatchesAgainstCenter(scope, {
        ...options,
        room: bareRoom(`batches-center-${round}`),
        what: "the agent's batches, bare, to the county center",
      });
      storedAll(run.center.eventsStored, 'bare batches');
      return run;
    };
    const agentToCenter = (round: number) => async () => {
      phase(NAME, `round ${round}: agent → county center`);
      const run = await runAgainstCenter(scope, {
        ...options,
        rooms: room(`center-${round}`),
        what: 'backfill to the county center',
      });
      storedAll(run.center.eventsStored, 'agent');
      return run;
    };
    // Fair baseline and agent alternate, ABBA: a machine whose load drifts one way favours neither.
    const runRound = async (round: number) => {
      const agentFirst = round % 2 === 0;
      const [fairAcked, acked] = await inOrder(agentFirst, fairToAcker(round), agentToAcker(round));
      const [fairCentered, centered] = await inOrder(agentFirst, fairToCenter(round), agentToCenter(round));
      return { fairAcked, acked, fairCentered, centered };
    };
    const rounds: Array<Awaited<ReturnType<typeof runRound>>> = [];
    for (let round = 1; round <= roundCount; round += 1) rounds.push(await runRound(round));
    const rate = (run: { events: number; elapsedMs: number }) => perSecond(run.events, run.elapsedMs);
    const perRound = (ratio: (round: (typeof rounds)[number]) => number) =>
      `rounds: ${rounds.map((round) => `${ratio(round).toFixed(2)}x`).join(', ')}`;
    // Rates are the median over the rounds; bytes, memory and CPU come from the first.
    const { centered, fairCentered } = rounds[0]!;

    const bareRuns = [
      { label: 'fire all (mqtt.js default, ≤ 60,000 awaiting PUBACK)', run: fireAll },
      { label: '20 in flight (Receive Maximum)', run: twenty },
      { label: 'waiting for each PUBACK', run: oneByOne },
      { label: "published offline, mqtt.js's store replayed at connect", run: offline },
    ].map(({ label, run }) => ({ label, run, rate: perSecond(run.events, run.elapsedMs) }));
    const best = bareRuns.reduce((a, b) => (b.rate > a.rate ? b : a));
    const bareUp = fireAll.wire.bytesUp / fireAll.events;
    const bareDown = fireAll.wire.bytesDown / fireAll.events;
    const agentRate = median(rounds.map((round) => rate(round.centered.rooms)));
    const ceilingRate = median(rounds.map((round) => rate(round.acked.rooms)));
    const fairRate = median(rounds.map((round) => rate(round.fairCentered.batches)));
    const fairCeilingRate = median(rounds.map((round) => rate(round.fairAcked.batches)));
    const agentUp = centered.rooms.wire.bytesUp / centered.rooms.events;
    const agentDown = centered.rooms.wire.bytesDown / centered.rooms.events;
    const fairUp = fairCentered.batches.wire.bytesUp / fairCentered.batches.events;
    const cpuPerThousand = (run: { cpuMs: number; events: number }) => (run.cpuMs / run.events) * 1000;
    const fair = fairCentered.batches;
    const rows: BenchRow[] = [
      {
        metric: 'agent → county center',
        value: agentRate,
        unit: 'events/s',
        baseline: fairRate,
        ratio: agentRate / fairRate,
        note: `until the cursor reached the head (center verified, stored, acknowledged); baseline = the same ${fair.batches} encoded batches sent bare, ${fair.window} in flight, until the center acknowledged the head; ${perRound((round) => rate(round.centered.rooms) / rate(round.fairCentered.batches))}; aim ≈ 1x`,
      },
      {
        metric: 'agent → county center vs naive client',
        value: agentRate,
        unit: 'events/s',
        baseline: best.rate,
        ratio: agentRate / best.rate,
        note: `baseline = fastest naive run (${best.label}: one JSON entry per message, until the broker's PUBACK); measures batching; aim ≥ 5x`,
      },
      {
        metric: 'agent → decode-and-ack receiver',
        value: ceilingRate,
        unit: 'events/s',
        baseline: fairCeilingRate,
        ratio: ceilingRate / fairCeilingRate,
        note: `the room side's own ceiling (the receiver verifies nothing); baseline = the same batches sent bare to it; ${perRound((round) => rate(round.acked.rooms) / rate(round.fairAcked.batches))}; against the naive client ${(ceilingRate / best.rate).toFixed(2)}x`,
      },
      {
        metric: 'center ingest',
        value: centered.center.eventsPerSecond,
        unit: 'events/s',
        baseline: fairCentered.center.eventsPerSecond,
        ratio: centered.center.eventsPerSecond / fairCentered.center.eventsPerSecond,
        note: 'stored per second, first to last stored batch (Ed25519 verify of every entry); baseline = from the bare batches',
      },
      {
        metric: 'bytes up per event',
        value: agentUp,
        unit: 'B',
        baseline: bareUp,
        ratio: agentUp / bareUp,
        note: `room → broker, every packet (TCP payload); baseline = naive client; aim ≤ 0.25x; bare batches ${fairUp.toFixed(1)} B (${(agentUp / fairUp).toFixed(2)}x)`,
      },
      {
        metric: 'bytes down per event',
        value: agentDown,
        unit: 'B',
        baseline: bareDown,
        ratio: agentDown / bareDown,
        note: 'broker → room: PUBACKs, center acks; baseline = naive client',
      },
      {
        metric: 'peak RSS, room process',
        value: mebibytes(centered.rooms.maxRssBytes),
        unit: 'MiB',
        baseline: mebibytes(fireAll.maxRssBytes),
        ratio: centered.rooms.maxRssBytes / fireAll.maxRssBytes,
        note: `getrusage maxrss of the process; baseline = naive client, fire all; bare batches (all held encoded) ${mebibytes(fair.maxRssBytes).toFixed(0)} MiB`,
      },
      {
        metric: 'CPU per 1,000 events, room process',
        value: cpuPerThousand(centered.rooms),
        unit: 'ms',
        baseline: cpuPerThousand(fair),
        ratio: cpuPerThousand(centered.rooms) / cpuPerThousand(fair),
        note: `user + system, from the start of the transfer to its end; baseline = bare batches (encoded beforehand, not counted: ${((fair.encodeMs / fair.events) * 1000).toFixed(0)} ms per 1,000 events); naive fire all ${cpuPerThousand(fireAll).toFixed(0)} ms`,
      },
      { metric: 'peak RSS, center process', value: mebibytes(centered.center.maxRssBytes), unit: 'MiB' },
      {
        metric: 'CPU per 1,000 events, center process',
        value: (centered.center.cpuMs / centered.center.eventsStored) * 1000,
        unit: 'ms',
        note: 'decode, hash, chain and Ed25519 checks, SQLite',
      },
      ...bareRuns.map(({ label, run, rate }) => ({
        metric: `naive client: ${label}`,
        value: rate,
        unit: 'events/s',
        note: `${run.events} events, until the last PUBACK; against it: agent → center ${(agentRate / rate).toFixed(2)}x, room ceiling ${(ceilingRate / rate).toFixed(2)}x; peak RSS ${mebibytes(run.maxRssBytes).toFixed(0)} MiB`,
      })),
      {
        metric: 'setup: sign-ins through Journal.append',
        value: fillMs / 1000,
        unit: 's',
        note: `${events} events, not part of any timing`,
      },
    ];
    return { name: `sync backfill: ${events} sign-ins to Mosquitto on loopback`, rows };
  });
