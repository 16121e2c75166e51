/**
 * The room side of the sync benchmarks: one or many rooms in this process, each with its own
 * journal (filled beforehand), bus and county link, all started at the same moment. The job ends
 * when every room's sync cursor (what the center acknowledged as stored) has reached the head its
 * journal had at the start; it reports when each room got there.
 */
import { configSchema, type Config } from '../../src/config/schema.js';
import { EventBus } from '../../src/daemon/bus.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { MqttLink } from '../../src/sync/link/mqttLink.js';
import { EventOutbox } from '../../src/sync/outbox/eventOutbox.js';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { ByteRateLimiter } from '../../src/sync/rateLimiter.js';
import { roomStateMessage, roomStatePublish } from '../../src/sync/roomState.js';
import type { JobContext } from './syncJobContext.js';
import { syncedClock } from './syncJournals.js';

/** How often the rooms' cursors are read: the resolution of the finishing times. A fleet reads less often, not to load its own process. */
const POLL_MS = 25;
const FLEET_POLL_MS = 100;

export interface RoomsJob {
  kind: 'rooms';
  url: string;
  rooms: Array<{ deviceId: string; dataDir: string }>;
  /** Over the schema's defaults (which are what a room runs with), e.g. backfillBytesPerSecond. */
  county: Record<string, unknown>;
}

export interface RoomsResult {
  rooms: number;
  /** Entries between each room's cursor and its head at the start, all rooms. */
  events: number;
  /** From starting the rooms until the last room's cursor reached its head. */
  elapsedMs: number;
  /** Per room, ms from the start until its cursor reached its head, ascending. */
  roomDoneMs: number[];
  /** Opening the journals and building the services, before the clock starts. */
  setupMs: number;
}

interface BenchRoom {
  journal: Journal;
  headSeq: number;
  backlog: number;
  doneMs: number | undefined;
  connected(): boolean;
  start(): void;
  stop(): Promise<void>;
}

export function countySettings(
  url: string,
  deviceId: string,
  dataDir: string,
  overrides: Record<string, unknown>,
): Config['county'] {
  return configSchema.parse({ version: 1, device: { id: deviceId, dataDir }, county: { url, ...overrides } }).county;
}

/**
 * One room's county link: MqttLink + EventOutbox over its journal, and the retained state message,
 * as SyncService composes them (its commands, files and health are idle during a backfill and need
 * the daemon's services, which a simulated room does not have).
 */
function openRoom(url: string, deviceId: string, dataDir: string, overrides: Record<string, unknown>): BenchRoom {
  const county = countySettings(url, deviceId, dataDir, overrides);
  const logger = createSilentLogger();
  const bus = new EventBus();
  const clock = syncedClock();
  const journal = Journal.open({ dataDir, clock, logger, bus });
  const topics = roomTopics(county.topicPrefix, deviceId);
  const identity = { deviceId, version: 'bench', bootId: clock.bootId, db: journal.db };
  const will = () => ({
    topic: topics.state,
    payload: JSON.stringify(roomStateMessage(identity, 'offline', 'link-lost')),
  });
  const link = new MqttLink({ county, deviceId, subscriptions: [topics.inbound], will, logger });
  const limiter = new ByteRateLimiter(county.backfillBytesPerSecond);
  const outbox = new EventOutbox({
    journal,
    link,
    topics,
    deviceId,
    limiter,
    batchMaxEvents: county.batchMaxEvents,
    batchMaxBytes: county.batchMaxBytes,
    ackTimeoutMs: county.ackTimeoutSeconds * 1000,
    bus,
    logger,
    clock,
  });
  const head = journal.head().seq;
  const room: BenchRoom = {
    journal,
    headSeq: head,
    backlog: head - (journal.syncCursor()?.seq ?? 0),
    doneMs: undefined,
    connected: () => link.state === 'connected',
    start() {
      // The center learns the room's keys from its online state (trust on first use); a lost one is sent at the next connection.
      link.on(
        'up',
        () =>
          void link
            .publish(roomStatePublish(topics.state, roomStateMessage(identity, 'online')))
            .catch(() => undefined),
      );
      link.on('message', (message) => (message.topic === topics.ack ? outbox.handleAck(message) : undefined));
      outbox.start();
      link.start();
    },
    async stop() {
      await outbox.stop();
      limiter.close(new Error('bench room stopped'));
      await link.stop();
      journal.close();
    },
  };
  return room;
}

export async function runRooms(job: RoomsJob, context: JobContext): Promise<RoomsResult> {
  const setupStarted = performance.now();
  const rooms = job.rooms.map(({ deviceId, dataDir }) => openRoom(job.url, deviceId, dataDir, job.county));
  const setupMs = performance.now() - setupStarted;
  context.ready();
  const started = performance.now();
  try {
    for (const room of rooms) room.start();
    let waiting = rooms.length;
    let lastProgress = started;
    while (waiting > 0) {
      await new Promise((resolve) => setTimeout(resolve, rooms.length > 10 ? FLEET_POLL_MS : POLL_MS));
      const now = performance.now();
      for (const room of rooms) {
        if (room.doneMs !== undefined || (room.journal.syncCursor()?.seq ?? 0) < room.headSeq) continue;
        room.doneMs = now - started;
        waiting -= 1;
      }
      if (now - lastProgress >= 1000) {
        lastProgress = now;
        const acked = rooms.reduce(
          (sum, room) => sum + room.backlog - (room.headSeq - (room.journal.syncCursor()?.seq ?? 0)),
          0,
        );
        const connected = rooms.filter((room) => room.connected()).length;
        context.progress(
          `${rooms.length - waiting} of ${rooms.length} rooms done, ${connected} connected, ${acked} events acknowledged after ${Math.round((now - started) / 1000)} s`,
        );
      }
    }
    const roomDoneMs = rooms.map((room) => room.doneMs!).sort((a, b) => a - b);
    return {
      rooms: rooms.length,
      events: rooms.reduce((sum, room) => sum + room.backlog, 0),
      elapsedMs: roomDoneMs.at(-1) ?? 0,
      roomDoneMs,
      setupMs,
    };
  } finally {
    await Promise.all(rooms.map((room) => room.stop()));
  }
}
