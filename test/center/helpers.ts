import mqtt, { type MqttClient } from 'mqtt';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { DeviceKey } from '../../src/journal/keyCrypto.js';
import { centerKeyFrom, signatureValid, signedBytes } from '../../src/sync/commands/signature.js';
import { CountyCenter, type CountyCenterOptions } from '../../src/center/countyCenter.js';
import type { Journal } from '../../src/journal/journal.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { journalVerification, type JournalVerification } from '../../src/journal/verificationReport.js';
import { EVENT_BATCH_PROPERTIES, encodeEventBatch, type EventBatch } from '../../src/sync/protocol/eventBatch.js';
import {
  centerAckSchema,
  commandEnvelopeSchema,
  MESSAGE_VERSIONS,
  type CenterAck,
  type CommandEnvelope,
  type CommandReply,
  type HealthMessage,
  type StateMessage,
} from '../../src/sync/protocol/messages.js';
import { roomTopics, type RoomTopics } from '../../src/sync/protocol/topics.js';
import { roomStateMessage } from '../../src/sync/roomState.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { openJournal } from '../journal/helpers.js';

export interface InboundCommand {
  payload: Buffer;
  properties: mqtt.IPublishPacket['properties'];
}

/**
 * A room as the center sees it, without the device's sync service: a real journal, and an mqtt.js
 * client that publishes its state and event batches and records what the center sends back.
 */
export class FakeRoom {
  readonly acks: CenterAck[] = [];
  readonly commands: InboundCommand[] = [];
  readonly topics: RoomTopics;

  private constructor(
    readonly deviceId: string,
    readonly journal: Journal,
    readonly client: MqttClient,
    prefix: string,
  ) {
    this.topics = roomTopics(prefix, deviceId);
    client.on('message', (topic, payload, packet) => {
      if (topic === this.topics.ack) this.acks.push(centerAckSchema.parse(JSON.parse(payload.toString('utf8'))));
      if (topic === this.topics.commands) this.commands.push({ payload, properties: packet.properties });
    });
  }

  static async connect(url: string, deviceId: string, journal: Journal, prefix = 'county'): Promise<FakeRoom> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: deviceId, reconnectPeriod: 0 });
    const room = new FakeRoom(deviceId, journal, client, prefix);
    await client.subscribeAsync(room.topics.inbound, { qos: 1 });
    return room;
  }

  state(overrides: Partial<StateMessage> = {}): StateMessage {
    return {
      ...roomStateMessage(
        { deviceId: this.deviceId, version: '0.1.0-test', bootId: 'boot-a', db: this.journal.db },
        'online',
      ),
      ...overrides,
    };
  }

  async publishState(overrides: Partial<StateMessage> = {}): Promise<void> {
    await this.client.publishAsync(this.topics.state, JSON.stringify(this.state(overrides)), { qos: 1, retain: true });
  }

  /** A retained health message naming the journal's head as it is now, with `cameras` reporting and the journal's verification (or `verification`). */
  async publishHealth(
    cameras: HealthMessage['cameras'] = [],
    verification: JournalVerification = journalVerification(this.journal),
  ): Promise<void> {
    const head = this.journal.head();
    const health: HealthMessage = {
      v: MESSAGE_VERSIONS.health,
      deviceId: this.deviceId,
      version: '0.1.0-test',
      bootId: 'boot-a',
      wallMs: Date.now(),
      uptimeSeconds: 60,
      clock: { state: 'synced' },
      journal: { headSeq: head.seq, headHash: head.hash, ackedSeq: this.lastAck()?.seq ?? 0, verification },
      backlog: { events: head.seq - (this.lastAck()?.seq ?? 0), oldestUnsentAgeSeconds: null, files: 0 },
      scanner: { state: 'ready' },
      cameras,
      disk: null,
      board: { cpuTemperatureC: null, throttled: null },
      link: { certExpiresAt: null, centerKey: 'none', warnings: [] },
    };
    await this.client.publishAsync(this.topics.health, JSON.stringify(health), { qos: 1, retain: true });
  }

  /** Entries fromSeq..toSeq of the journal as it is now. */
  entries(fromSeq: number, toSeq: number): JournalEntry[] {
    return this.journal.read(fromSeq - 1, toSeq - fromSeq + 1);
  }

  async publishEntries(entries: JournalEntry[], lane: EventBatch['lane'] = 'backfill'): Promise<void> {
    await this.client.publishAsync(this.topics.events, encodeEventBatch(this.deviceId, lane, entries), {
      qos: 1,
      properties: mqttProperties(),
    });
  }

  async publishBatch(fromSeq: number, toSeq: number, lane: EventBatch['lane'] = 'backfill'): Promise<void> {
    await this.publishEntries(this.entries(fromSeq, toSeq), lane);
  }

  lastAck(): CenterAck | undefined {
    return this.acks.at(-1);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
    this.journal.close();
  }
}

function mqttProperties(): mqtt.IClientPublishOptions['properties'] {
  return { contentType: EVENT_BATCH_PROPERTIES.contentType, userProperties: EVENT_BATCH_PROPERTIES.userProperties };
}

export interface CenterFixture {
  broker: Mosquitto;
  center: CountyCenter;
  dir: string;
  dbFile: string;
  /** A room with a fresh journal in its own directory, holding `signIns` sign-ins. */
  room(deviceId: string, signIns?: number, clock?: FakeClock): Promise<FakeRoom>;
  /** Stops the center and starts it again on the same database and broker session. */
  restartCenter(): Promise<CountyCenter>;
  close(): Promise<void>;
}

/** from, from + 1, …, to */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

export function appendSignIns(journal: Journal, count: number): void {
  for (let i = 0; i < count; i++)
    journal.append('signin.accepted', {
      memberId: `m-${i % 40}`,
      slot: i % 40,
      score: 100 + (i % 50),
      activityId: null,
      method: 'fingerprint',
    });
}

/**
 * A center and its broker for every test of the calling suite, closed after it; `options` is read
 * before each test, so a suite may vary it. Use the returned getter inside tests.
 */
export function useCenter(options: () => Partial<CountyCenterOptions> = () => ({})): () => CenterFixture {
  let fixture: CenterFixture | undefined;
  beforeEach(async () => {
    fixture = await startCenterFixture(options());
  });
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });
  return () => {
    if (fixture === undefined) throw new Error('useCenter: no center outside a test');
    return fixture;
  };
}

export async function startCenterFixture(options: Partial<CountyCenterOptions> = {}): Promise<CenterFixture> {
  const broker = await startMosquitto();
  const temp = makeTempDir('center-test-');
  const dbFile = join(temp.dir, 'center.sqlite');
  const rooms: FakeRoom[] = [];
  const centerOptions: CountyCenterOptions = { broker: { url: broker.url }, dbFile, ackIntervalMs: 50, ...options };
  const fixture: CenterFixture = {
    broker,
    center: await CountyCenter.start(centerOptions),
    dir: temp.dir,
    dbFile,
    async room(deviceId, signIns = 0, clock = new FakeClock({ wallMs: Date.now() })) {
      const journal = openJournal(join(temp.dir, deviceId), clock);
      appendSignIns(journal, signIns);
      const room = await FakeRoom.connect(broker.url, deviceId, journal, centerOptions.prefix);
      rooms.push(room);
      return room;
    },
    async restartCenter() {
      await fixture.center.stop();
      fixture.center = await CountyCenter.start(centerOptions);
      return fixture.center;
    },
    async close() {
      for (const room of rooms) await room.close();
      await fixture.center.stop();
      await broker.stop();
      temp.cleanup();
    },
  };
  return fixture;
}

/**
 * A room's command handling reduced to what the center relies on: it checks the signature with
 * the center's public key as the room does and answers on the command's response topic with its correlation data.
 */
export async function startResponder(
  url: string,
  deviceId: string,
  centerKey: DeviceKey | undefined,
  answer: (envelope: CommandEnvelope) => CommandReply,
): Promise<{ client: MqttClient; received: CommandEnvelope[] }> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `${deviceId}-responder`,
    reconnectPeriod: 0,
  });
  const received: CommandEnvelope[] = [];
  const topics = roomTopics('county', deviceId);
  client.on('message', (_topic, payload, packet) => {
    const envelope = commandEnvelopeSchema.parse(JSON.parse(payload.toString('utf8')));
    received.push(envelope);
    const { signature } = envelope;
    // The room's own check (sync/commands/signature.ts), over the bytes as received.
    const signedByCenter =
      centerKey !== undefined &&
      signature !== undefined &&
      signatureValid(
        centerKeyFrom(centerKey.publicKey),
        signedBytes(JSON.parse(payload.toString('utf8')) as Record<string, unknown>),
        signature,
      );
    const reply: CommandReply =
      signedByCenter || centerKey === undefined
        ? answer(envelope)
        : {
            v: MESSAGE_VERSIONS.reply,
            deviceId,
            commandId: envelope.id,
            status: 'error',
            error: { code: 'bad-signature', message: 'not signed by the center' },
          };
    void client.publishAsync(packet.properties!.responseTopic!, JSON.stringify(reply), {
      qos: 1,
      properties: { correlationData: packet.properties!.correlationData },
    });
  });
  await client.subscribeAsync(topics.commands, { qos: 1 });
  return { client, received };
}

export function done(deviceId: string, envelope: CommandEnvelope, result: unknown = { ok: true }): CommandReply {
  return {
    v: MESSAGE_VERSIONS.reply,
    deviceId,
    commandId: envelope.id,
    status: 'done',
    result: result,
  };
}
