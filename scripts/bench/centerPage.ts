/**
 * `center-page`: the county board with 512 rooms. A real center (`room-agent center --http`, its
 * own process) and Mosquitto; 512 rooms, each a real journal with a dozen sign-ins, published by
 * one MQTT client the way rooms publish (retained online state, signed event batches). Then a
 * steady stream of new sign-ins across the county, twice for the same time: first with no screen
 * (baseline), then with the page open in headless chromium. Measured: the page's time to first
 * render and its main-thread cost per update (CDP metrics over the stream), its DOM and heap
 * before and after (a page that grows shows here), and the center's CPU time with the page
 * against without it.
 * `--rooms=N --seconds=S --rate=R` (sign-ins per second across the county) make other runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { EVENT_BATCH_PROPERTIES, encodeEventBatch } from '../../src/sync/protocol/eventBatch.js';
import { roomStateMessage } from '../../src/sync/roomState.js';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { packageRoot } from '../../src/util/packageRoot.js';
import { launchChromium } from '../../test/helpers/chromium.js';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { countOption, phase, withScope, type Scope } from './syncHarness.js';
import { fillJournals, signInPayload, syncedClock } from './syncJournals.js';
import type { Bench, BenchRow } from './types.js';

const NAME = 'center-page';
const ROOMS = 512;
const INITIAL_SIGN_INS = 12;
const SECONDS = 20;
const RATE = 50;
/** How often the stream of sign-ins publishes: RATE / TICKS_PER_SECOND rooms each time. */
const TICKS_PER_SECOND = 10;
/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ). */
const USER_HZ = 100;

/** user + system CPU seconds of a process so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

interface CenterProcess {
  child: ChildProcess;
  url: string;
}

async function startCenter(scope: Scope, brokerUrl: string, dbFile: string): Promise<CenterProcess> {
  const cli = join(packageRoot() ?? '.', 'dist', 'src', 'cli', 'main.js');
  const child = spawn(
    process.execPath,
    [cli, 'center', '--broker', brokerUrl, '--db', dbFile, '--http', '127.0.0.1:0', '--no-view'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ROOM_AGENT_LANG: 'en' },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  scope.defer(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the center printed no board address: ${stderr}`)), 30_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const match = /county board: (http:\/\/\S+)/.exec(stderr);
      if (match === null) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
  });
  return { child, url };
}

interface SimulatedRoom {
  deviceId: string;
  journal: Journal;
}

/**
 * Every room publishes its online state and its whole journal; resolves when the center acknowledged
 * every head. The center subscribes a moment after it starts: rooms not acknowledged send again,
 * as a room's outbox does after its ack timeout (the center stores a repeated batch once).
 */
async function loadRooms(client: mqtt.MqttClient, rooms: SimulatedRoom[]): Promise<void> {
  const acked = new Map<string, number>();
  client.on('message', (topic, payload) => {
    const ack = JSON.parse(payload.toString('utf8')) as { seq: number };
    acked.set(topic, Math.max(acked.get(topic) ?? 0, ack.seq));
  });
  await client.subscribeAsync(roomTopics('county', '+').ack, { qos: 1 });
  const waiting = () =>
    rooms.filter((room) => (acked.get(roomTopics('county', room.deviceId).ack) ?? 0) < room.journal.head().seq);
  for (let pending = waiting(); pending.length > 0; pending = waiting()) {
    for (const room of pending) {
      const topics = roomTopics('county', room.deviceId);
      const identity = { deviceId: room.deviceId, version: 'bench', bootId: 'bench-boot', db: room.journal.db };
      await client.publishAsync(topics.state, JSON.stringify(roomStateMessage(identity, 'online')), {
        qos: 1,
        retain: true,
      });
      await publishEntries(client, room, 1, room.journal.head().seq, 'backfill');
    }
    const deadline = Date.now() + 5000;
    while (waiting().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function publishEntries(
  client: mqtt.MqttClient,
  room: SimulatedRoom,
  fromSeq: number,
  toSeq: number,
  lane: 'live' | 'backfill',
): Promise<unknown> {
  const entries = room.journal.read(fromSeq - 1, toSeq - fromSeq + 1);
  return client.publishAsync(
    roomTopics('county', room.deviceId).events,
    encodeEventBatch(room.deviceId, lane, entries),
    {
      qos: 1,
      properties: {
        contentType: EVENT_BATCH_PROPERTIES.contentType,
        userProperties: EVENT_BATCH_PROPERTIES.userProperties,
      },
    },
  );
}

/** `rate` new sign-ins a second, round the county, for `seconds`; returns how many were published. */
async function signInStream(
  client: mqtt.MqttClient,
  rooms: SimulatedRoom[],
  rate: number,
  seconds: number,
): Promise<number> {
  const perTick = Math.max(1, Math.round(rate / TICKS_PER_SECOND));
  const started = performance.now();
  let next = 0;
  let published = 0;
  for (let tick = 1; tick <= seconds * TICKS_PER_SECOND; tick++) {
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < perTick; i++) {
      const room = rooms[next++ % rooms.length]!;
      const entry = room.journal.append('signin.accepted', signInPayload(room.journal.head().seq));
      work.push(publishEntries(client, room, entry.seq, entry.seq, 'live'));
      published++;
    }
    await Promise.all(work);
    const due = started + (tick * 1000) / TICKS_PER_SECOND;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
  return published;
}

export const benchCenterPage: Bench = (options) =>
  withScope(async (scope) => {
    const roomCount = countOption(options, 'rooms', ROOMS);
    const seconds = countOption(options, 'seconds', SECONDS);
    const rate = countOption(options, 'rate', RATE);
    const base = scope.tempDir('room-agent-bench-page-');
    const dirs = Array.from({ length: roomCount }, (_, index) => join(base, `room-${index}`));
    phase(NAME, `writing ${INITIAL_SIGN_INS} sign-ins into each of ${roomCount} journals`);
    await fillJournals(dirs, INITIAL_SIGN_INS);
    const rooms: SimulatedRoom[] = dirs.map((dataDir, index) => ({
      deviceId: `village-${String(index).padStart(3, '0')}`,
      journal: Journal.open({ dataDir, clock: syncedClock(), logger: createSilentLogger() }),
    }));
    scope.defer(() => rooms.forEach((room) => room.journal.close()));

    const broker = await startMosquitto();
    scope.defer(() => broker.stop());
    const center = await startCenter(scope, broker.url, join(base, 'center.sqlite'));
    const pid = center.child.pid!;
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'bench-county-rooms' });
    scope.defer(() => client.endAsync());
    phase(NAME, `${roomCount} rooms send their journals to the center`);
    await loadRooms(client, rooms);

    phase(NAME, `baseline: ${rate} sign-ins/s for ${seconds} s, no screen`);
    let cpuBefore = cpuSeconds(pid);
    const baselineSignIns = await signInStream(client, rooms, rate, seconds);
    const baselineCpu = cpuSeconds(pid) - cpuBefore;

    const snapshotMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await (await fetch(`${center.url}api/board`)).arrayBuffer();
      snapshotMs.push(performance.now() - started);
    }
    snapshotMs.sort((a, b) => a - b);

    phase(NAME, 'opening the board in headless chromium');
    const browser = await launchChromium();
    scope.defer(() => browser.close());
    const page = await browser.newPage();
    await page.setViewport({ width: 1920, height: 1080 });
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    const stream = { updates: 0, bytes: 0, boardBytes: 0 };
    cdp.on('Network.eventSourceMessageReceived', (message) => {
      if (message.eventName === 'rooms') {
        stream.updates++;
        stream.bytes += message.data.length;
      } else if (message.eventName === 'board') stream.boardBytes ||= message.data.length;
    });
    await page.goto(center.url, { waitUntil: 'load' });
    await page.waitForFunction(`performance.getEntriesByName('board:first-render').length > 0`, { timeout: 60_000 });
    const firstRenderMs = (await page.evaluate(
      `performance.getEntriesByName('board:first-render')[0].startTime`,
    )) as number;
    // Settle: the first summary frame and the chart are drawn after the tiles.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    phase(NAME, `with the page: ${rate} sign-ins/s for ${seconds} s`);
    // Collected first: otherwise nodes a redraw let go of still count until the next GC.
    await cdp.send('HeapProfiler.collectGarbage');
    const before = await page.metrics();
    const updatesBefore = stream.updates;
    cpuBefore = cpuSeconds(pid);
    const streamStarted = performance.now();
    const pageSignIns = await signInStream(client, rooms, rate, seconds);
    const streamSeconds = (performance.now() - streamStarted) / 1000;
    const pageCpu = cpuSeconds(pid) - cpuBefore;
    // The last push of the stream arrives within a push interval.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await cdp.send('HeapProfiler.collectGarbage');
    const after = await page.metrics();
    const updates = stream.updates - updatesBefore;
    const perUpdate = (key: 'TaskDuration' | 'ScriptDuration' | 'LayoutDuration' | 'RecalcStyleDuration') =>
      (((after[key] ?? 0) - (before[key] ?? 0)) * 1000) / Math.max(1, updates);

    const rows: BenchRow[] = [
      {
        metric: 'page: time to first render',
        value: firstRenderMs,
        unit: 'ms',
        note: `navigation start to every tile drawn; the first board is ${(stream.boardBytes / 1024).toFixed(0)} KiB`,
      },
      {
        metric: 'center: the whole board as JSON, median of 5',
        value: snapshotMs[2]!,
        unit: 'ms',
        note: 'GET /api/board: what a screen waits for when it connects',
      },
      {
        metric: 'page: main thread per update',
        value: perUpdate('TaskDuration'),
        unit: 'ms',
        note: `${updates} updates in ${streamSeconds.toFixed(0)} s (one a second at most), each the rooms that changed`,
      },
      { metric: 'page: script per update', value: perUpdate('ScriptDuration'), unit: 'ms' },
      {
        metric: 'page: style + layout per update',
        value: perUpdate('RecalcStyleDuration') + perUpdate('LayoutDuration'),
        unit: 'ms',
      },
      {
        metric: 'page: stream per update',
        value: stream.bytes / Math.max(1, updates) / 1024,
        unit: 'KiB',
      },
      {
        metric: 'page: DOM nodes, after / before the stream',
        value: after.Nodes ?? 0,
        unit: 'nodes',
        baseline: before.Nodes ?? 0,
        ratio: (after.Nodes ?? 0) / Math.max(1, before.Nodes ?? 0),
      },
      {
        metric: 'page: JS heap used, after / before',
        value: (after.JSHeapUsedSize ?? 0) / (1024 * 1024),
        unit: 'MiB',
        baseline: (before.JSHeapUsedSize ?? 0) / (1024 * 1024),
        ratio: (after.JSHeapUsedSize ?? 0) / Math.max(1, before.JSHeapUsedSize ?? 0),
        note: 'both after a forced GC',
      },
      {
        metric: 'center CPU, with the page vs without',
        value: pageCpu,
        unit: 's',
        baseline: baselineCpu,
        ratio: pageCpu / Math.max(0.01, baselineCpu),
        note: `user+system over ${seconds} s of ${pageSignIns} (baseline ${baselineSignIns}) sign-ins from ${roomCount} rooms`,
      },
    ];
    return { name: NAME, rows };
  });
