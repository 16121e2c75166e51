import { EventEmitter } from 'node:events';
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import { createSilentLogger } from '../log.js';
import type { Db } from '../store/database.js';
import { settleWithin } from '../util/settleWithin.js';
import {
  CENTER_ACK_EXPIRY_SECONDS,
  MESSAGE_VERSIONS,
  receivedHealthSchema,
  receivedStateSchema,
  type CenterAck,
  type CenterAckV1,
  type ReceivedCommandReply,
  type FileAck,
} from '../sync/protocol/messages.js';
import { allRoomsOutbound, parseOutboundTopic, roomTopics } from '../sync/protocol/topics.js';
import { AckScheduler } from './ackScheduler.js';
import { brokerReady, connectBroker, endClient, publisher, type BrokerOptions } from './broker.js';
import { CommandLog } from './commandLog.js';
import { CommandSender, type CommandOptions } from './commands.js';
import { openCenterDatabase } from './database.js';
import { receivedSegments, type ReceivedSegment } from './recordings.js';
import { CenterFileReceiver, type ReceivedFile } from './fileReceiver.js';
import { replayDue } from './gaps.js';
import { BadMessage, fileExtra, parseBatch, parseRoomMessage, topicDeviceId } from './inbound.js';
import { Ingest, type BatchOutcome } from './ingest.js';
import { newRoom, summarize, type BrokenChain, type KnownGap, type Room, type RoomSummary } from './room.js';
import type { CenterSigningKey } from './signing.js';
import { RoomDayReader, type ActivityRecord, type PhotoRecord, type SignInRecord } from './roomDay.js';
import { CenterStore, type CompletedFile, type SignInCount } from './store.js';

export interface CountyCenterOptions {
  broker: BrokerOptions;
  dbFile: string;
  /** Where received files go; without it file uploads are not answered. */
  filesDir?: string | undefined;
  /** Topic prefix, county.topicPrefix on the rooms. Default 'county'. */
  prefix?: string | undefined;
  /** Default `county-center-<prefix>`: stable, so the broker keeps the center's session. */
  clientId?: string | undefined;
  /** Signs commands; rooms with county.centerPublicKey refuse every unsigned command. */
  signingKey?: CenterSigningKey | undefined;
  /** A gap that stays this long gets a journal.replay command. Default 30. */
  gapSeconds?: number | undefined;
  /** At most one ack per room per this interval. Default 200 ms. */
  ackIntervalMs?: number | undefined;
  /** MQTT message expiry of a command that names none. Default 3600 s. */
  commandExpirySeconds?: number | undefined;
  /** How long start() waits for the broker; 0 starts without waiting (it keeps trying). Default 10 s. */
  waitForBrokerMs?: number | undefined;
  logger?: Logger | undefined;
}

export interface CenterEvents {
  stored: [outcome: BatchOutcome];
  broken: [deviceId: string, broken: BrokenChain];
  file: [file: CompletedFile];
  replay: [deviceId: string, fromSeq: number];
  state: [summary: RoomSummary];
  health: [summary: RoomSummary];
}

export interface CenterStats {
  /** Entries inserted since start (duplicates not counted). */
  eventsStored: number;
  /** eventsStored over the time from the first to the latest stored batch. */
  eventsPerSecond: number;
  duplicates: number;
  /** Messages refused: unknown topics, invalid payloads, a device id that does not match. */
  badMessages: number;
}

const DEFAULT_PREFIX = 'county';

function hasPrefixHash(room: Room): room is Room & { contiguousHash: string } {
  return room.contiguousHash !== null;
}

/** The most of a broken chain's reason an ack carries (centerAckSchema). */
const ACK_REASON_CHARS = 500;

/**
 * The ack for the room's verified prefix, in the version the room reads: version 2 adds what the
 * center holds beyond the prefix and where the chain broke, which a room whose journal is behind
 * or beside the center's copy needs to continue above it; a room of an earlier release gets version 1.
 */
function ackFor(room: Room & { contiguousHash: string }, nowMs: number): CenterAck | CenterAckV1 {
  const v1 = { seq: room.contiguousSeq, hash: room.contiguousHash, centerTimeMs: nowMs };
  if (room.ackVersion < MESSAGE_VERSIONS.ack) return { v: 1, ...v1 };
  return {
    v: MESSAGE_VERSIONS.ack,
    ...v1,
    heldSeq: Math.max(room.maxStoredSeq, room.contiguousSeq),
    ...(room.broken !== null && {
      broken: { seq: room.broken.seq, reason: room.broken.reason.slice(0, ACK_REASON_CHARS) },
    }),
  };
}
/** How long stop() waits for the broker to acknowledge what is in flight before it lets go. */
const STOP_FLUSH_MS = 3000;
/**
 * The reference county center: subscribes to every room, stores and verifies their events,
 * acknowledges the verified prefix, asks for replays across gaps, receives files and sends
 * commands. One MQTT client with a persistent session, one SQLite file; message handling is
 * synchronous up to the commit, so the broker gets its PUBACK only after a batch is on disk.
 */
export class CountyCenter extends EventEmitter<CenterEvents> {
  private readonly roomById = new Map<string, Room>();
  private readonly day: RoomDayReader;
  /** File messages still being written: stop() waits for them before closing. */
  private readonly fileWork = new Set<Promise<void>>();
  private readonly topicPrefix: string;
  private readonly acks: AckScheduler;
  private readonly gapMs: number;
  private gapTimer: NodeJS.Timeout | undefined;
  private readonly totals = { stored: 0, duplicates: 0, bad: 0, firstMs: 0, lastMs: 0 };
  private stopped = false;
  private markSubscribed!: () => void;
  /** Resolves on the first subscription to the rooms: from then on nothing a room publishes is missed. */
  private readonly subscribed = new Promise<void>((resolve) => (this.markSubscribed = resolve));

  private constructor(
    options: CountyCenterOptions,
    private readonly db: Db,
    private readonly store: CenterStore,
    private readonly ingest: Ingest,
    private readonly client: MqttClient,
    private readonly commands: CommandSender,
    private readonly files: CenterFileReceiver | undefined,
    private readonly logger: Logger,
  ) {
    super();
    this.day = new RoomDayReader(db);
    this.topicPrefix = options.prefix ?? DEFAULT_PREFIX;
    this.gapMs = (options.gapSeconds ?? 30) * 1000;
    this.acks = new AckScheduler((deviceId) => this.sendAck(deviceId), options.ackIntervalMs ?? 200);
  }

  static async start(options: CountyCenterOptions): Promise<CountyCenter> {
    const logger = options.logger ?? createSilentLogger();
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    const db = openCenterDatabase(options.dbFile);
    const store = new CenterStore(db);
    let client: MqttClient;
    try {
      client = await connectBroker(options.broker, options.clientId ?? `county-center-${prefix}`, true);
    } catch (error) {
      // mqtt.js throws at once for a URL it has no transport for.
      db.close();
      throw error;
    }
    const commands = new CommandSender({
      prefix,
      log: new CommandLog(db),
      publish: publisher(client),
      signingKey: options.signingKey,
      defaultExpirySeconds: options.commandExpirySeconds ?? 3600,
      logger,
    });
    // The receiver's callbacks reach the center built just below; nothing calls them before a
    // file message arrives, long after it exists.
    const files =
      options.filesDir === undefined
        ? undefined
        : new CenterFileReceiver({
            dir: options.filesDir,
            logger,
            publishAck: (deviceId, ack) => center.publishFileAck(deviceId, ack),
            onComplete: (file) => center.recordFile(file),
          });
    const center: CountyCenter = new CountyCenter(
      options,
      db,
      store,
      new Ingest(store, logger),
      client,
      commands,
      files,
      logger,
    );
    center.attach(store.loadRooms(Date.now()));
    const waitMs = options.waitForBrokerMs ?? 10_000;
    if (waitMs > 0) {
      try {
        await brokerReady(client, center.subscribed, options.broker.url, waitMs);
      } catch (error) {
        await center.stop();
        throw error;
      }
    }
    return center;
  }

  private attach(loaded: Room[]): void {
    for (const room of loaded) this.roomById.set(room.deviceId, room);
    this.client.on('connect', () => this.onConnect());
    // A broker that stays away fails every reconnect the same way: said once, not every two seconds.
    let lastError: string | undefined;
    this.client.on('error', (error) => {
      if (error.message !== lastError) this.logger.warn({ err: error.message }, 'broker connection error');
      lastError = error.message;
    });
    this.client.on('connect', () => (lastError = undefined));
    this.client.on('offline', () => this.logger.warn('lost the broker; reconnecting'));
    this.client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet));
    this.gapTimer = setInterval(() => this.checkGaps(), Math.min(1000, Math.max(50, this.gapMs / 4)));
  }

  private onConnect(): void {
    this.logger.info({ rooms: this.roomById.size }, 'connected to the broker');
    // Every connect, not only a new session: subscribing again also brings every room's retained
    // state, and an `online` state makes the center send that room its cursor.
    this.client.subscribe(allRoomsOutbound(this.topicPrefix), { qos: 1 }, (error, granted) => {
      const refused = granted?.find((grant) => grant.qos > 2);
      if ((error !== undefined && error !== null) || refused !== undefined) {
        this.logger.error({ err: error?.message, reasonCode: refused?.qos }, 'subscription to the rooms failed');
        return;
      }
      this.markSubscribed();
    });
  }

  // ---- inbound -------------------------------------------------------------------------

  /** Never throws: mqtt.js calls this inside its packet handling, and one bad payload must not stop the center. */
  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void {
    try {
      this.route(topic, payload, packet);
    } catch (error) {
      this.logger.error({ err: error, topic: topic.slice(0, 200) }, 'a message could not be handled');
    }
  }

  private route(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const parsed = parseOutboundTopic(this.topicPrefix, topic);
    const deviceId = topicDeviceId(this.topicPrefix, topic);
    if (deviceId === undefined) {
      this.countBad(undefined, topic, 'the topic names no valid device id');
      return;
    }
    const room = this.roomFor(deviceId);
    if (parsed === undefined) {
      this.countBad(room, topic, 'unknown topic');
      return;
    }
    try {
      switch (parsed.kind) {
        case 'state':
          this.onState(room, payload);
          return;
        case 'health':
          this.onHealth(room, payload);
          return;
        case 'events':
          this.onEvents(room, payload, packet);
          return;
        case 'replies':
          if (!this.commands.handleReply(deviceId, payload, packet.properties?.correlationData))
            throw new BadMessage('not a command reply of this room');
          return;
        default:
          if (this.files === undefined) return;
          room.lastSeenMs = Date.now();
          this.trackFileWork(this.files.handle(deviceId, parsed.kind, parsed.fileId, payload, fileExtra(parsed)));
      }
    } catch (error) {
      if (!(error instanceof BadMessage)) throw error;
      this.countBad(room, topic, error.message);
    }
  }

  private onState(room: Room, payload: Buffer): void {
    // A retained message is cleared with an empty payload: nothing to record.
    if (payload.length === 0) return;
    const state = parseRoomMessage(payload, receivedStateSchema, 'state message', room.deviceId);
    const broken = this.ingest.adoptState(room, state, Date.now());
    if (broken !== null) this.emit('broken', room.deviceId, broken);
    if (state.state === 'online') this.acks.request(room.deviceId);
    this.logger.info(
      { deviceId: room.deviceId, state: state.state, reason: state.reason, version: state.version },
      'room state',
    );
    this.emit('state', summarize(room));
  }

  private onHealth(room: Room, payload: Buffer): void {
    if (payload.length === 0) return;
    const health = parseRoomMessage(payload, receivedHealthSchema, 'health message', room.deviceId);
    room.health = health;
    room.headSeq = health.journal.headSeq;
    room.lastSeenMs = Date.now();
    this.store.saveRoom(room);
    this.emit('health', summarize(room));
  }

  private onEvents(room: Room, payload: Buffer, packet: IPublishPacket): void {
    const batch = parseBatch(payload, packet, room.deviceId);
    const now = Date.now();
    const outcome = this.ingest.storeBatch(room, batch, now);
    this.totals.stored += outcome.inserted;
    this.totals.duplicates += outcome.duplicates;
    this.totals.firstMs ||= now;
    this.totals.lastMs = now;
    this.acks.request(room.deviceId);
    this.logger.info(
      {
        deviceId: room.deviceId,
        lane: outcome.lane,
        fromSeq: outcome.fromSeq,
        toSeq: outcome.toSeq,
        stored: outcome.inserted,
        duplicates: outcome.duplicates,
        contiguousSeq: outcome.contiguousSeq,
      },
      'stored event batch',
    );
    if (outcome.broken !== null) this.emit('broken', room.deviceId, outcome.broken);
    this.emit('stored', outcome);
  }

  private trackFileWork(work: Promise<void>): void {
    this.fileWork.add(work);
    void work.finally(() => this.fileWork.delete(work));
  }

  private countBad(room: Room | undefined, topic: string, problem: string): void {
    this.totals.bad++;
    if (room !== undefined) {
      room.badMessages++;
      room.lastSeenMs = Date.now();
      this.store.saveRoom(room);
    }
    this.logger.warn(
      { deviceId: room?.deviceId, topic: topic.slice(0, 200), problem: problem.slice(0, 500) },
      'ignored a bad message',
    );
  }

  private roomFor(deviceId: string): Room {
    let room = this.roomById.get(deviceId);
    if (room === undefined) {
      room = newRoom(deviceId, Date.now());
      this.roomById.set(deviceId, room);
    }
    return room;
  }

  // ---- outbound ------------------------------------------------------------------------

  private sendAck(deviceId: string): void {
    const room = this.roomById.get(deviceId);
    if (room === undefined || room.contiguousSeq < 1 || !hasPrefixHash(room) || this.stopped) return;
    // mqtt.js would hold it and send it after the reconnect with its old time, which the expiry
    // cannot show (it counts from the broker's receipt). Not needed either: the reconnect brings
    // every room's retained state again, and an online one gets a fresh ack.
    if (!this.client.connected) return;
    const ack = ackFor(room, Date.now());
    room.lastAckSeq = ack.seq;
    room.lastAckMs = ack.centerTimeMs;
    const properties = { messageExpiryInterval: CENTER_ACK_EXPIRY_SECONDS };
    this.client.publish(
      roomTopics(this.topicPrefix, deviceId).ack,
      JSON.stringify(ack),
      { qos: 1, properties },
      (error) => {
        if (error !== undefined && error !== null)
          this.logger.warn({ deviceId, seq: ack.seq, err: error.message }, 'ack not published');
      },
    );
  }

  private publishFileAck(deviceId: string, ack: FileAck): Promise<void> {
    return this.client
      .publishAsync(roomTopics(this.topicPrefix, deviceId).fileAcks, JSON.stringify(ack), { qos: 1 })
      .then(
        () => undefined,
        (error: Error) =>
          this.logger.warn({ deviceId, fileId: ack.fileId, err: error.message }, 'file ack not published'),
      );
  }

  private recordFile(received: ReceivedFile): void {
    const { init } = received;
    const file: CompletedFile = {
      deviceId: received.deviceId,
      fileId: received.fileId,
      name: init.name,
      kind: init.kind,
      size: init.size,
      sha256: init.sha256,
      path: received.path,
      meta: init.meta,
    };
    this.store.recordFile(file, Date.now());
    this.emit('file', file);
  }

  private checkGaps(): void {
    const now = Date.now();
    for (const room of this.roomById.values()) {
      const fromSeq = replayDue(room, now, this.gapMs);
      if (fromSeq === undefined) continue;
      this.logger.warn(
        { deviceId: room.deviceId, fromSeq, storedUpTo: room.maxStoredSeq },
        'gap in a room journal: asking for a replay',
      );
      this.emit('replay', room.deviceId, fromSeq);
      this.commands
        .send(room.deviceId, 'journal.replay', { fromSeq }, { responseTimeoutMs: this.gapMs, expiresInMs: this.gapMs })
        .catch((error: Error) => {
          this.logger.warn({ deviceId: room.deviceId, fromSeq, err: error.message }, 'replay request not answered');
        });
    }
  }

  // ---- API -----------------------------------------------------------------------------

  get prefix(): string {
    return this.topicPrefix;
  }

  get brokerConnected(): boolean {
    return this.client.connected;
  }

  /** Sends a command and resolves with the room's reply; rejects with CenterNoReply after the wait. */
  sendCommand(
    deviceId: string,
    type: string,
    params: Record<string, unknown>,
    options?: CommandOptions,
  ): Promise<ReceivedCommandReply> {
    return this.commands.send(deviceId, type, params, options);
  }

  /** Every room the center knows, by device id. */
  rooms(): RoomSummary[] {
    return [...this.roomById.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId)).map(summarize);
  }

  room(deviceId: string): RoomSummary | undefined {
    const room = this.roomById.get(deviceId);
    return room === undefined ? undefined : summarize(room);
  }

  storedSeqs(deviceId: string): number[] {
    return this.store.storedSeqs(deviceId);
  }

  /** The gaps a room declared and the center verified, oldest first. */
  knownGaps(deviceId: string): KnownGap[] {
    return structuredClone(this.roomById.get(deviceId)?.gaps ?? []);
  }

  eventCount(deviceId: string): number {
    return this.store.eventCount(deviceId);
  }

  duplicates(deviceId: string): number {
    return this.roomById.get(deviceId)?.duplicates ?? 0;
  }

  /** Sign-ins by room, emulated ones apart: accepted and manual, wall time in [fromMs, toMs). */
  signInsBetween(fromMs: number, toMs: number): Map<string, SignInCount> {
    return this.store.signInsBetween(fromMs, toMs);
  }

  /** A room's latest sign-ins in [fromMs, toMs), newest first, with names and trusted times. */
  recentSignIns(deviceId: string, fromMs: number, toMs: number, limit: number): SignInRecord[] {
    return this.day.recentSignIns(deviceId, fromMs, toMs, limit);
  }

  /** The newest photos a room uploaded, newest first. */
  recentPhotos(deviceId: string, limit: number): PhotoRecord[] {
    return this.day.recentPhotos(deviceId, limit);
  }

  /** One of a room's photos by its file id; null when none. */
  photo(deviceId: string, fileId: string): PhotoRecord | null {
    return this.day.photo(deviceId, fileId);
  }

  /** The activity a room runs, as its journal says; null when none. */
  currentActivity(deviceId: string): ActivityRecord | null {
    return this.day.currentActivity(deviceId);
  }

  /** Completely received files by room. */
  fileCounts(): Map<string, number> {
    return this.store.fileCounts();
  }

  /** Recording segments received, in meeting order (see recordings.ts). */
  recordings(filter: { deviceId?: string; activityId?: string } = {}): ReceivedSegment[] {
    return receivedSegments(this.db, filter);
  }

  stats(): CenterStats {
    const { stored, duplicates, bad, firstMs, lastMs } = this.totals;
    const seconds = (lastMs - firstMs) / 1000;
    return { eventsStored: stored, eventsPerSecond: seconds > 0 ? stored / seconds : 0, duplicates, badMessages: bad };
  }

  /** Resolves once `condition` holds (checked on every stored batch, state and a short poll); rejects after timeoutMs. */
  async waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`county center: ${what} did not hold within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Resolves once the room's verified prefix reaches `seq`. */
  waitForContiguous(deviceId: string, seq: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(
      () => (this.roomById.get(deviceId)?.contiguousSeq ?? 0) >= seq,
      timeoutMs,
      `${deviceId} contiguous up to seq ${seq}`,
    );
  }

  /**
   * Sends the acks still waiting, disconnects cleanly (the broker keeps the session: what rooms
   * send meanwhile waits for the next start) and closes the database.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    clearInterval(this.gapTimer);
    this.acks.flush();
    // A file message waits for its ack's PUBACK: bounded, or a broker that is gone holds the stop forever.
    await settleWithin(Promise.all(this.fileWork), STOP_FLUSH_MS);
    this.stopped = true;
    this.commands.stop();
    await endClient(this.client, STOP_FLUSH_MS);
    this.db.close();
  }
}
