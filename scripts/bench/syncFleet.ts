/**
 * `sync-fleet`: 300 rooms (MqttLink + EventOutbox each, all in one process, each with its own
 * journal of 2,000 sign-ins) connecting at once to one Mosquitto and one reference CountyCenter,
 * as after a county-wide outage. Measured: the time until every room's sync cursor reached its
 * head, and the center's ingest rate. Baseline, in the same run: ONE room with the same backlog
 * to its own fresh center, so the ratios say what many rooms at once cost against one alone.
 * `--rooms=N --events=M` make a smaller run (CI); the journals are filled on worker threads
 * through the real Journal.append, timed separately as setup.
 */
import { join } from 'node:path';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { countOption, mebibytes, perSecond, phase, withScope } from './syncHarness.js';
import { fillJournals } from './syncJournals.js';
import { runAgainstCenter, type CenterRun } from './syncRuns.js';
import type { Bench, BenchRow } from './types.js';

const NAME = 'sync-fleet';
const ROOMS = 300;
const EVENTS_PER_ROOM = 2_000;
/** Generous: the full run takes a few minutes on a 2-core VM; a stuck one says how far it got. */
const RUN_TIMEOUT_MS = 15 * 60_000;
const COUNTY = { backfillBytesPerSecond: 0 };

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const benchSyncFleet: Bench = (options) =>
  withScope(async (scope) => {
    const roomCount = countOption(options, 'rooms', ROOMS);
    const perRoom = countOption(options, 'events', EVENTS_PER_ROOM);
    const base = scope.tempDir('room-agent-bench-fleet-');
    const rooms = Array.from({ length: roomCount + 1 }, (_, index) => ({
      deviceId: `bench-room-${String(index).padStart(3, '0')}`,
      dataDir: join(base, `room-${index}`),
    }));
    phase(NAME, `writing ${perRoom} sign-ins into each of ${rooms.length} journals`);
    const fillStarted = performance.now();
    await fillJournals(
      rooms.map((room) => room.dataDir),
      perRoom,
    );
    const fillMs = performance.now() - fillStarted;
    const broker = await startMosquitto();
    scope.defer(() => broker.stop());

    const run = async (what: string, members: typeof rooms): Promise<CenterRun> => {
      phase(NAME, what);
      const result = await runAgainstCenter(scope, {
        brokerUrl: broker.url,
        roomUrl: broker.url,
        rooms: members,
        county: COUNTY,
        timeoutMs: RUN_TIMEOUT_MS,
        what,
      });
      const expected = members.length * perRoom;
      if (result.center.eventsStored !== expected)
        throw new Error(`${what}: the center stored ${result.center.eventsStored} events, not ${expected}`);
      return result;
    };
    const single = await run('one room alone (baseline)', rooms.slice(0, 1));
    const fleet = await run(`${roomCount} rooms at once`, rooms.slice(1));

    const singleRate = perSecond(single.rooms.events, single.rooms.elapsedMs);
    const fleetRate = perSecond(fleet.rooms.events, fleet.rooms.elapsedMs);
    const done = fleet.rooms.roomDoneMs;
    const rows: BenchRow[] = [
      {
        metric: 'every cursor at its head',
        value: fleet.rooms.elapsedMs / 1000,
        unit: 's',
        baseline: single.rooms.elapsedMs / 1000,
        ratio: fleet.rooms.elapsedMs / single.rooms.elapsedMs,
        note: `${roomCount} rooms × ${perRoom} events, from the rooms' start; baseline = one room alone`,
      },
      { metric: 'rooms done, p50', value: percentile(done, 50) / 1000, unit: 's' },
      { metric: 'rooms done, p90', value: percentile(done, 90) / 1000, unit: 's' },
      {
        metric: 'events acknowledged per second, all rooms',
        value: fleetRate,
        unit: 'events/s',
        baseline: singleRate,
        ratio: fleetRate / singleRate,
        note: 'total backlog / time until every cursor at head',
      },
      {
        metric: 'center ingest',
        value: fleet.center.eventsPerSecond,
        unit: 'events/s',
        baseline: single.center.eventsPerSecond,
        ratio: fleet.center.eventsPerSecond / single.center.eventsPerSecond,
        note: 'stored per second, first to last stored batch',
      },
      {
        metric: 'center duplicates',
        value: fleet.center.duplicates,
        unit: 'events',
        note: 'entries received again (resent after an ack timeout); stored once',
      },
      {
        metric: 'peak RSS, rooms process',
        value: mebibytes(fleet.rooms.maxRssBytes),
        unit: 'MiB',
        baseline: mebibytes(single.rooms.maxRssBytes),
        ratio: fleet.rooms.maxRssBytes / single.rooms.maxRssBytes,
        note: `${((fleet.rooms.maxRssBytes - single.rooms.maxRssBytes) / (roomCount - 1) / 1024).toFixed(0)} KiB more per additional room`,
      },
      {
        metric: 'peak RSS, center process',
        value: mebibytes(fleet.center.maxRssBytes),
        unit: 'MiB',
        baseline: mebibytes(single.center.maxRssBytes),
        ratio: fleet.center.maxRssBytes / single.center.maxRssBytes,
      },
      {
        metric: 'CPU, rooms process',
        value: fleet.rooms.cpuMs / 1000,
        unit: 's',
        note: `center process ${(fleet.center.cpuMs / 1000).toFixed(1)} s; ${(fleet.rooms.cpuMs / fleet.rooms.events).toFixed(3)} ms per event on the room side`,
      },
      {
        metric: 'setup: journals filled',
        value: fillMs / 1000,
        unit: 's',
        note: `${rooms.length} × ${perRoom} events through Journal.append on worker threads; not timed above`,
      },
      {
        metric: 'setup: rooms opened',
        value: fleet.rooms.setupMs / 1000,
        unit: 's',
        note: 'journals opened and links built before the start',
      },
    ];
    return { name: `sync fleet: ${roomCount} rooms × ${perRoom} sign-ins reconnecting at once`, rows };
  });
