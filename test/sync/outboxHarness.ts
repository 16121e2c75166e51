import mqtt, { type MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { configSchema, type Config } from '../../src/config/schema.js';
import { EventBus } from '../../src/daemon/bus.js';
import { Journal } from '../../src/journal/journal.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { createSilentLogger, type Logger } from '../../src/log.js';
import { MqttLink } from '../../src/sync/link/mqttLink.js';
import type { MessageProperties } from '../../src/sync/link/types.js';
import { EventOutbox, type EventOutboxOptions } from '../../src/sync/outbox/eventOutbox.js';
import { decodeEventBatch, type EventBatch } from '../../src/sync/protocol/eventBatch.js';
import { CENTER_ACK_EXPIRY_SECONDS, MESSAGE_VERSIONS, type CenterAck } from '../../src/sync/protocol/messages.js';
import { roomTopics, type RoomTopics } from '../../src/sync/protocol/topics.js';
import { ByteRateLimiter } from '../../src/sync/rateLimiter.js';
import { FakeClock } from '../helpers/fakeClock.js';

export const PREFIX = 'county';

/** One batch as the test center saw it arrive. */
export interface ArrivedBatch {
  at: number;
  /** Payload bytes as published (compressed). */
  bytes: number;
  lane: EventBatch['lane'];
  fromSeq: number;
  toSeq: number;
}

/**
 * The smallest center that makes the outbox's contract observable: stores entries by seq
 * (counting duplicates and prevHash breaks), acknowledges its contiguous prefix from seq 1 after
 * every batch, and can be told to drop batches or to stop acknowledging. The reference center
 * (src/center) is tested on its own; this one keeps the outbox's tests independent of it.
 */
export class TestCenter {
  readonly stored = new Map<number, JournalEntry>();
  readonly arrived: ArrivedBatch[] = [];
  duplicates = 0;
  chainBreaks = 0;
  undecodable = 0;
  acking = true;
  /** Batches for which this answers true are dropped unread, as a broker that lost them would. */
  drop: ((batch: EventBatch) => boolean) | undefined;
  private prefix = 0;

  private constructor(
    private readonly client: MqttClient,
    private readonly topics: RoomTopics,
  ) {
    client.on('message', (_topic, payload, packet) =>
      this.receive(payload, {
        userProperties: packet.properties?.userProperties as Record<string, string> | undefined,
      }),
    );
  }

  /** A persistent session (clean: false), so batches published while it reconnects wait at the broker. */
  static async start(url: string, deviceId: string): Promise<TestCenter> {
    const topics = roomTopics(PREFIX, deviceId);
    const client = mqtt.connect(url, {
      protocolVersion: 5,
      clientId: `test-center-${randomUUID()}`,
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 100,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(topics.events, { qos: 1 });
    return new TestCenter(client, topics);
  }

  /** Highest seq such that 1..seq are all stored. */
  get contiguous(): number {
    return this.prefix;
  }

  /** Seqs stored, ascending. */
  storedSeqs(): number[] {
    return [...this.stored.keys()].sort((a, b) => a - b);
  }

  async stop(): Promise<void> {
    await this.client.endAsync(true);
  }

  private receive(payload: Buffer, properties: MessageProperties): void {
    let batch: EventBatch;
    try {
      batch = decodeEventBatch(payload, properties);
    } catch {
      this.undecodable += 1;
      return;
    }
    if (this.drop?.(batch) === true) return;
    this.arrived.push({
      at: performance.now(),
      bytes: payload.length,
      lane: batch.lane,
      fromSeq: batch.fromSeq,
      toSeq: batch.toSeq,
    });
    for (const entry of batch.entries) {
      if (this.stored.has(entry.seq)) {
        this.duplicates += 1;
        continue;
      }
      const previous = this.stored.get(entry.seq - 1);
      if (previous !== undefined && previous.hash !== entry.prevHash) this.chainBreaks += 1;
      this.stored.set(entry.seq, entry);
    }
    while (this.stored.has(this.prefix + 1)) this.prefix += 1;
    if (this.acking && this.prefix > 0) this.acknowledge(this.prefix);
  }

  private acknowledge(seq: number): void {
    // heldSeq names no more than the prefix: this center never holds what the room has lost.
    const ack: CenterAck = {
      v: MESSAGE_VERSIONS.ack,
      seq,
      hash: this.stored.get(seq)!.hash,
      centerTimeMs: Date.now(),
      heldSeq: seq,
    };
    this.client.publish(this.topics.ack, JSON.stringify(ack), {
      qos: 1,
      properties: { messageExpiryInterval: CENTER_ACK_EXPIRY_SECONDS },
    });
  }
}

/** County settings for tests: quick to notice a dead link, quick to come back. */
export function testCounty(url: string, overrides: Partial<Config['county']> = {}): Config['county'] {
  return configSchema.shape.county.parse({
    url,
    keepaliveSeconds: 2,
    reconnectMinMs: 100,
    reconnectMaxMs: 400,
    ...overrides,
  });
}

/**
 * An outbox of room-1 on `journal`, started, whose link is real but never connects: what it does
 * with acknowledgements and replays shows whatever the connection does, and nothing is sent.
 */
export function idleOutbox(
  options: Pick<EventOutboxOptions, 'journal' | 'bus' | 'logger' | 'clock' | 'onCenterTime' | 'now'>,
): EventOutbox {
  const topics = roomTopics(PREFIX, 'room-1');
  const link = new MqttLink({
    county: testCounty('mqtt://127.0.0.1:1'),
    deviceId: 'room-1',
    subscriptions: [],
    will: () => ({ topic: topics.state, payload: '' }),
    logger: options.logger,
  });
  const outbox = new EventOutbox({
    ...options,
    link,
    topics,
    deviceId: 'room-1',
    limiter: new ByteRateLimiter(0),
    batchMaxEvents: 500,
    batchMaxBytes: 65_536,
    ackTimeoutMs: 60_000,
  });
  outbox.start();
  return outbox;
}

export interface RoomOptions {
  dir: string;
  url: string;
  deviceId?: string;
  county?: Partial<Config['county']>;
  logger?: Logger;
}

/**
 * One room's sync as the daemon composes it, minus commands and health: a real journal in `dir`,
 * the real MQTT link, the shared byte-rate limiter, and the outbox, with in/ack routed to it.
 */
export class TestRoom {
  readonly journal: Journal;
  readonly link: MqttLink;
  readonly outbox: EventOutbox;
  readonly limiter: ByteRateLimiter;
  readonly bus = new EventBus();
  readonly clock = new FakeClock();
  readonly topics: RoomTopics;
  readonly county: Config['county'];

  constructor(options: RoomOptions) {
    const deviceId = options.deviceId ?? 'room-1';
    const logger = options.logger ?? createSilentLogger();
    this.county = testCounty(options.url, options.county);
    this.topics = roomTopics(PREFIX, deviceId);
    this.journal = Journal.open({ dataDir: options.dir, clock: this.clock, logger, access: 'create', bus: this.bus });
    this.limiter = new ByteRateLimiter(this.county.backfillBytesPerSecond);
    this.link = new MqttLink({
      county: this.county,
      deviceId,
      subscriptions: [this.topics.inbound],
      will: () => ({ topic: this.topics.state, payload: 'offline' }),
      logger,
    });
    this.outbox = new EventOutbox({
      journal: this.journal,
      link: this.link,
      topics: this.topics,
      deviceId,
      limiter: this.limiter,
      batchMaxEvents: this.county.batchMaxEvents,
      batchMaxBytes: this.county.batchMaxBytes,
      ackTimeoutMs: this.county.ackTimeoutSeconds * 1000,
      clock: this.clock,
      bus: this.bus,
      logger,
    });
    this.link.on('message', (message) => {
      if (message.topic === this.topics.ack) this.outbox.handleAck(message);
    });
  }

  start(): void {
    this.outbox.start();
    this.link.start();
  }

  /** As the daemon stops: the outbox first, then the link, then the journal. */
  async stop(): Promise<void> {
    await this.outbox.stop();
    this.limiter.close(new Error('test room stopped'));
    await this.link.stop();
    this.journal.close();
  }

  /** Appends `count` sign-ins in one commit (one fsync), as a bulk of records made while offline. */
  appendSignIns(count: number, from = 0): void {
    this.journal.transaction((tx) => {
      for (let i = from; i < from + count; i++)
        tx.append('signin.accepted', {
          memberId: `m-${String(i % 300).padStart(3, '0')}`,
          page: i,
          score: 100 + (i % 50),
        });
    });
  }

  cursorSeq(): number {
    return this.journal.syncCursor()?.seq ?? 0;
  }
}

/** Polls `condition` until it holds; fails with `describe()` when `timeoutMs` passes first. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
