/**
 * `sync-backfill`: a room's backlog of 100,000 sign-ins backfilled to a real Mosquitto on loopback,
 * against a bare mqtt.js client publishing the same entries one JSON entry per QoS 1 message in
 * the same run. The room (MqttLink + EventOutbox, the byte cap off) runs in a process of its own;
 * the receiving side in another: the reference CountyCenter, and for the room's own ceiling a
 * receiver that only decodes and acknowledges. Bytes are what the room's (or the bare client's) TCP
 * sockets wrote and read; nothing sits between them and the broker. The agent is timed until its sync cursor (the
 * center's acknowledgement of what it stored) reaches the head; the bare client until the last
 * PUBACK of the broker, which stores nothing and forwards to nobody: the comparison favours it.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { FIRE_ALL_WINDOW } from './syncBareClient.js';
import { mebibytes, perSecond, phase, withScope } from './syncHarness.js';
import { fillJournal } from './syncJournals.js';
import { runAgainstAcker, runAgainstCenter, runBare } from './syncRuns.js';
import type { Bench, BenchRow } from './types.js';

const NAME = 'sync-backfill';
const EVENTS = 100_000;
/** Waiting for each PUBACK (or mqtt.js replaying its offline store, which does the same) is slow: this many give its rate. */
const ONE_BY_ONE_EVENTS = 10_000;
const RUN_TIMEOUT_MS = 240_000;
/** The agent as a room runs it, but with the backfill byte cap off: loopback has no uplink to spare. */
const COUNTY = { backfillBytesPerSecond: 0 };

export const benchSyncBackfill: Bench = () =>
  withScope(async (scope) => {
    const base = scope.tempDir('room-agent-bench-backfill-');
    const source = join(base, 'source');
    phase(NAME, `writing ${EVENTS} sign-ins through the journal`);
    const fillStarted = performance.now();
    fillJournal(source, EVENTS);
    const fillMs = performance.now() - fillStarted;
    const broker = await startMosquitto();
    scope.defer(() => broker.stop());

    const bare = async (window: number, limit?: number, offline?: boolean) => {
      phase(
        NAME,
        `bare client, ${limit ?? EVENTS} events, ${offline === true ? "replayed from mqtt.js's offline store" : `up to ${window} awaiting PUBACK`}`,
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
    const oneByOne = await bare(1, ONE_BY_ONE_EVENTS);
    const offline = await bare(ONE_BY_ONE_EVENTS, ONE_BY_ONE_EVENTS, true);

    // Each agent run gets its own copy of the room: a run moves the cursor of the journal it backfills.
    const room = (name: string) => {
      const dataDir = join(base, name);
      cpSync(source, dataDir, { recursive: true });
      return [{ deviceId: `bench-${name}`, dataDir }];
    };
    const options = { brokerUrl: broker.url, roomUrl: broker.url, county: COUNTY, timeoutMs: RUN_TIMEOUT_MS };
    phase(NAME, 'agent → decode-and-ack receiver');
    const acked = await runAgainstAcker(scope, {
      ...options,
      rooms: room('acker'),
      what: 'backfill to the acknowledging receiver',
    });
    phase(NAME, 'agent → county center');
    const centered = await runAgainstCenter(scope, {
      ...options,
      rooms: room('center'),
      what: 'backfill to the county center',
    });
    if (centered.center.eventsStored !== EVENTS)
      throw new Error(`the center stored ${centered.center.eventsStored} events, not ${EVENTS}`);

    const bareRuns = [
      { label: 'fire all (mqtt.js default, ≤ 60,000 awaiting PUBACK)', run: fireAll },
      { label: '20 in flight (Receive Maximum)', run: twenty },
      { label: 'waiting for each PUBACK', run: oneByOne },
      { label: "published offline, mqtt.js's store replayed at connect", run: offline },
    ].map(({ label, run }) => ({ label, run, rate: perSecond(run.events, run.elapsedMs) }));
    const best = bareRuns.reduce((a, b) => (b.rate > a.rate ? b : a));
    const bareUp = fireAll.wire.bytesUp / fireAll.events;
    const bareDown = fireAll.wire.bytesDown / fireAll.events;
    const agentRate = perSecond(centered.rooms.events, centered.rooms.elapsedMs);
    const ceilingRate = perSecond(acked.rooms.events, acked.rooms.elapsedMs);
    const agentUp = centered.rooms.wire.bytesUp / centered.rooms.events;
    const agentDown = centered.rooms.wire.bytesDown / centered.rooms.events;
    const rows: BenchRow[] = [
      {
        metric: 'agent → county center',
        value: agentRate,
        unit: 'events/s',
        baseline: best.rate,
        ratio: agentRate / best.rate,
        note: `until the cursor reached the head (center verified, stored, acknowledged); baseline = fastest bare run (${best.label}); aim ≥ 5x`,
      },
      {
        metric: 'agent → decode-and-ack receiver',
        value: ceilingRate,
        unit: 'events/s',
        baseline: best.rate,
        ratio: ceilingRate / best.rate,
        note: "the room side's own ceiling: the receiver verifies nothing",
      },
      {
        metric: 'center ingest',
        value: centered.center.eventsPerSecond,
        unit: 'events/s',
        note: 'stored per second, first to last stored batch (Ed25519 verify of every entry)',
      },
      {
        metric: 'bytes up per event',
        value: agentUp,
        unit: 'B',
        baseline: bareUp,
        ratio: agentUp / bareUp,
        note: 'room → broker, every packet (TCP payload); aim ≤ 0.25x',
      },
      {
        metric: 'bytes down per event',
        value: agentDown,
        unit: 'B',
        baseline: bareDown,
        ratio: agentDown / bareDown,
        note: 'broker → room: PUBACKs, center acks',
      },
      {
        metric: 'peak RSS, room process',
        value: mebibytes(centered.rooms.maxRssBytes),
        unit: 'MiB',
        baseline: mebibytes(fireAll.maxRssBytes),
        ratio: centered.rooms.maxRssBytes / fireAll.maxRssBytes,
        note: 'getrusage maxrss of the process; baseline = bare client, fire all',
      },
      {
        metric: 'CPU per 1,000 events, room process',
        value: (centered.rooms.cpuMs / centered.rooms.events) * 1000,
        unit: 'ms',
        baseline: (fireAll.cpuMs / fireAll.events) * 1000,
        ratio: centered.rooms.cpuMs / centered.rooms.events / (fireAll.cpuMs / fireAll.events),
        note: 'user + system, from the start of the transfer to its end',
      },
      { metric: 'peak RSS, center process', value: mebibytes(centered.center.maxRssBytes), unit: 'MiB' },
      {
        metric: 'CPU per 1,000 events, center process',
        value: (centered.center.cpuMs / centered.center.eventsStored) * 1000,
        unit: 'ms',
        note: 'decode, hash, chain and Ed25519 checks, SQLite',
      },
      ...bareRuns.map(({ label, run, rate }) => ({
        metric: `bare client: ${label}`,
        value: rate,
        unit: 'events/s',
        note: `${run.events} events; against it: agent → center ${(agentRate / rate).toFixed(2)}x, room ceiling ${(ceilingRate / rate).toFixed(2)}x; peak RSS ${mebibytes(run.maxRssBytes).toFixed(0)} MiB`,
      })),
      {
        metric: 'setup: sign-ins through Journal.append',
        value: fillMs / 1000,
        unit: 's',
        note: `${EVENTS} events, not part of any timing`,
      },
    ];
    return { name: `sync backfill: ${EVENTS} sign-ins to Mosquitto on loopback`, rows };
  });
