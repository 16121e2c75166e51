import mqtt, { type MqttClient } from 'mqtt';
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { CenterFileReceiver, type ReceivedFile } from '../../src/center/fileReceiver.js';
import type { Config } from '../../src/config/schema.js';
import { EventBus } from '../../src/daemon/bus.js';
import { Journal } from '../../src/journal/journal.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { createSilentLogger } from '../../src/log.js';
import { recentUploads, type UploadRow } from '../../src/sync/files/uploadRows.js';
import { FileUploader } from '../../src/sync/files/uploader.js';
import { MqttLink } from '../../src/sync/link/mqttLink.js';
import type { FileAck } from '../../src/sync/protocol/messages.js';
import { allRoomsOutbound, parseOutboundTopic, roomTopics, type RoomTopics } from '../../src/sync/protocol/topics.js';
import { ByteRateLimiter } from '../../src/sync/rateLimiter.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { PREFIX, testCounty } from './outboxHarness.js';

export const SEGMENT = 64 * 1024;

/** What the test center saw of one file message, in arrival order. */
export type Arrival = { fileId: string } & (
  { kind: 'init' } | { kind: 'segment'; offset: number; length: number } | { kind: 'fin' }
);

/**
 * The reference center's file half (CenterFileReceiver) behind a plain mqtt.js client, as
 * src/center wires it, recording every file message in arrival order and every answer it gave.
 * A persistent session, so what a room publishes while this reconnects waits at the broker.
 */
export class FileCenter {
  readonly arrivals: Arrival[] = [];
  readonly received: ReceivedFile[] = [];
  /**
   * A center that misbehaves: an answer returned is sent instead of the receiver's, 'drop' makes
   * the message vanish unanswered (lost between broker and center), undefined lets it through.
   */
  override: ((arrival: Arrival) => Omit<FileAck, 'v' | 'fileId'> | 'drop' | undefined) | undefined;
  private readonly receiver: CenterFileReceiver;

  private constructor(
    private readonly client: MqttClient,
    readonly dir: string,
  ) {
    this.receiver = new CenterFileReceiver({
      dir,
      publishAck: (deviceId, ack) => this.answer(deviceId, ack),
      onComplete: (info) => this.received.push(info),
      logger: createSilentLogger(),
    });
    client.on('message', (topic, payload) => void this.receive(topic, payload));
  }

  static async start(url: string, dir: string): Promise<FileCenter> {
    const client = mqtt.connect(url, {
      protocolVersion: 5,
      clientId: `file-center-${randomUUID()}`,
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 100,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(allRoomsOutbound(PREFIX), { qos: 1 });
    return new FileCenter(client, dir);
  }

  /** Segment arrivals of one file, in order. */
  segments(fileId: string): Array<{ offset: number; length: number }> {
    return this.arrivals.flatMap((arrival) =>
      arrival.fileId === fileId && arrival.kind === 'segment'
        ? [{ offset: arrival.offset, length: arrival.length }]
        : [],
    );
  }

  async stop(): Promise<void> {
    await this.client.endAsync(true);
  }

  private async receive(topic: string, payload: Buffer): Promise<void> {
    const parsed = parseOutboundTopic(PREFIX, topic);
    if (
      parsed === undefined ||
      (parsed.kind !== 'file-init' && parsed.kind !== 'file-segment' && parsed.kind !== 'file-fin')
    )
      return;
    const arrival: Arrival =
      parsed.kind === 'file-segment'
        ? { fileId: parsed.fileId, kind: 'segment', offset: parsed.offset, length: payload.length }
        : { fileId: parsed.fileId, kind: parsed.kind === 'file-init' ? 'init' : 'fin' };
    this.arrivals.push(arrival);
    const override = this.override?.(arrival);
    if (override === 'drop') return;
    if (override !== undefined) {
      await this.answer(parsed.deviceId, { v: 1, fileId: parsed.fileId, ...override });
      return;
    }
    await this.receiver.handle(parsed.deviceId, parsed.kind, parsed.fileId, payload, parsed);
  }

  private async answer(deviceId: string, ack: FileAck): Promise<void> {
    await this.client.publishAsync(roomTopics(PREFIX, deviceId).fileAcks, JSON.stringify(ack), { qos: 1 });
  }
}

export interface FileRoomOptions {
  dir: string;
  url: string;
  county?: Partial<Config['county']>;
  ackTimeoutMs?: number;
}

/**
 * One room's file uploads as SyncService composes them: a real journal in `dir`, the real MQTT
 * link, the shared byte-rate limiter and the uploader, with in/files routed to it.
 */
export class FileRoom {
  readonly journal: Journal;
  readonly link: MqttLink;
  readonly limiter: ByteRateLimiter;
  readonly uploader: FileUploader;
  readonly bus = new EventBus();
  readonly topics: RoomTopics = roomTopics(PREFIX, 'room-1');
  private stopped = false;

  constructor(options: FileRoomOptions) {
    const logger = createSilentLogger();
    const county = testCounty(options.url, { fileSegmentBytes: SEGMENT, backfillBytesPerSecond: 0, ...options.county });
    this.journal = Journal.open({
      dataDir: options.dir,
      clock: new FakeClock(),
      logger,
      access: 'create',
      bus: this.bus,
    });
    this.limiter = new ByteRateLimiter(county.backfillBytesPerSecond);
    this.link = new MqttLink({
      county,
      deviceId: 'room-1',
      subscriptions: [this.topics.inbound],
      will: () => ({ topic: this.topics.state, payload: 'offline' }),
      logger,
    });
    this.uploader = new FileUploader({
      journal: this.journal,
      link: this.link,
      topics: this.topics,
      limiter: this.limiter,
      segmentBytes: county.fileSegmentBytes,
      bus: this.bus,
      logger,
      ackTimeoutMs: options.ackTimeoutMs,
    });
    this.link.on('message', (message) => {
      if (message.topic === this.topics.fileAcks) this.uploader.handleAck(message);
    });
  }

  start(): void {
    this.uploader.start();
    this.link.start();
  }

  /** As SyncService stops: the uploader, the limiter, the link, then the journal. Once only. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.uploader.stop();
    this.limiter.close(new Error('test room stopped'));
    await this.link.stop();
    this.journal.close();
  }

  row(fileId: string): UploadRow {
    const row = recentUploads(this.journal.db, 1000).find((upload) => upload.fileId === fileId);
    if (row === undefined) throw new Error(`no upload ${fileId}`);
    return row;
  }

  /** Journal entries of the file events, in order. */
  fileEvents(): JournalEntry[] {
    return this.journal.read(0, 10_000).filter((entry) => entry.type.startsWith('file.'));
  }
}

/** `size` seeded random bytes written to `dir/name`; returns the path, bytes and SHA-256. */
export function writeRandomFile(
  dir: string,
  name: string,
  size: number,
  seed = 1,
): { path: string; bytes: Buffer; sha256: string } {
  const random = seededRandom(seed);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(random() * 256);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** What each test of a suite gets from useFileCenter(); replaced before every test. */
export interface FileScene {
  dir: string;
  broker: Mosquitto;
  center: FileCenter;
  /** Runs `stop` after the test, before the center and the broker stop (rooms, proxies). */
  defer(stop: () => Promise<void>): void;
  /** A room in `<dir>/room` (the same journal every time), stopped after the test. */
  openRoom(options?: Omit<FileRoomOptions, 'dir' | 'url'> & { url?: string }): FileRoom;
}

/** A fresh directory, a real Mosquitto and a FileCenter for every test of the calling suite. */
export function useFileCenter(): FileScene {
  let cleanup = () => {};
  let deferred: Array<() => Promise<void>> = [];
  const scene: FileScene = {
    dir: '',
    broker: undefined as unknown as Mosquitto,
    center: undefined as unknown as FileCenter,
    defer: (stop) => void deferred.push(stop),
    openRoom(options = {}) {
      const room = new FileRoom({ dir: join(scene.dir, 'room'), url: scene.broker.url, ...options });
      scene.defer(() => room.stop());
      return room;
    },
  };
  beforeEach(async () => {
    const temp = makeTempDir();
    cleanup = temp.cleanup;
    scene.dir = temp.dir;
    scene.broker = await startMosquitto();
    scene.center = await FileCenter.start(scene.broker.url, join(temp.dir, 'center'));
  });
  afterEach(async () => {
    for (const stop of deferred.reverse()) await stop();
    deferred = [];
    await scene.center.stop();
    await scene.broker.stop();
    cleanup();
  });
  return scene;
}
