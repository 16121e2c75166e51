import { runChecks } from '../../src/app/doctor/runner.js';
import { createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { stringify } from 'yaml';
import type { EnrollPrompt } from '../../drivers/scanner.js';
import { PlanStore } from '../../src/activities/plans.js';
import { ActivityStore } from '../../src/activities/store.js';
import { noCameraService } from '../../src/cameras/control.js';
import { SystemClock } from '../../src/clock/systemClock.js';
import { TimesyncdFlagSource } from '../../src/clock/timesyncd.js';
import { inspectConfig } from '../../src/config/load.js';
import { overrideFiles } from '../../src/config/overrideFiles.js';
import type { Config } from '../../src/config/schema.js';
import { EventBus } from '../../src/daemon/bus.js';
import { EnrollmentService } from '../../src/enrollment/enrollment.js';
import { canonicalJson } from '../../src/journal/canonical.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger, createRootLogger, type Logger } from '../../src/log.js';
import { MemberRemoval } from '../../src/members/removal.js';
import { SlotDeletions } from '../../src/members/slotDeletions.js';
import { MemberStore } from '../../src/members/store.js';
import { loadScannerSecrets } from '../../src/scanner/secrets.js';
import { ScannerService } from '../../src/scanner/service.js';
import { CommandProcessor, type CommandProcessorOptions } from '../../src/sync/commands/commandProcessor.js';
import type { CommandDependencies } from '../../src/sync/commands/dependencies.js';
import { FileQueue } from '../../src/sync/files/fileQueue.js';
import { RecordingUploads } from '../../src/sync/files/recordingUploads.js';
import { readBoard } from '../../src/sync/health/board.js';
import { MqttLink } from '../../src/sync/link/mqttLink.js';
import type { Link, PublishRequest } from '../../src/sync/link/types.js';
import { EventOutbox } from '../../src/sync/outbox/eventOutbox.js';
import {
  CENTER_ACK_EXPIRY_SECONDS,
  commandReplySchema,
  MESSAGE_VERSIONS,
  type CommandErrorCode,
  type CommandReply,
} from '../../src/sync/protocol/messages.js';
import { roomTopics, type RoomTopics } from '../../src/sync/protocol/topics.js';
import { ByteRateLimiter } from '../../src/sync/rateLimiter.js';
import { ModuleRestore } from '../../src/templates/restore.js';
import { makeTempDir } from '../helpers/cli.js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { setLanguage } from '../../src/i18n.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { until } from './linkFixtures.js';

export const DEVICE_ID = 'room-cmd';
export const PREFIX = 'county';

export interface RigOptions {
  /** 'generate' (default): county.centerPublicKey is a fresh key the test center signs with. */
  centerKey?: 'generate' | 'none';
  /** Where the agent logs (default: nowhere, or the console with RIG_LOG set). */
  logger?: Logger;
  /** The scanner section; default driver none (no module: enrollment is `unavailable`). */
  scanner?: Record<string, unknown>;
}

/** Everything a command could change, read back: every table of journal.sqlite and the configuration files. */
export interface Snapshot {
  tables: Record<string, unknown[]>;
  files: Record<string, string | null>;
}

/**
 * A room agent's command path as the daemon builds it, against a real Mosquitto: the real
 * MqttLink (persistent session), EventOutbox (center time from acks, replays), CommandProcessor
 * and the real stores behind it, on a journal and configuration files in a temp directory. A
 * connect()/disconnect() pair plays an agent restart: new link, outbox and processor.
 */
export class CommandRig {
  readonly topics: RoomTopics = roomTopics(PREFIX, DEVICE_ID);
  readonly journal: Journal;
  readonly scanner: ScannerService;
  readonly restarts: string[] = [];
  readonly prompts: EnrollPrompt[] = [];
  /** Replies the device's link acknowledged, then 'restart:<reason>': the order the agent did them in. */
  readonly actions: string[] = [];
  onPrompt: (prompt: EnrollPrompt) => void = () => {};
  link: MqttLink | undefined;
  outbox: EventOutbox | undefined;
  processor: CommandProcessor | undefined;
  private readonly bus = new EventBus();
  private readonly clock: SystemClock;
  readonly deps: CommandDependencies;

  private constructor(
    readonly broker: Mosquitto,
    readonly dir: string,
    readonly configPath: string,
    readonly config: Config,
    readonly centerKey: KeyObject | undefined,
    private readonly logger: Logger,
    private readonly cleanup: () => void,
  ) {
    const { dataDir } = config.device;
    writeFileSync(join(dir, 'synced'), '');
    this.clock = new SystemClock(new TimesyncdFlagSource(join(dir, 'synced')));
    this.journal = Journal.open({ dataDir, access: 'create', clock: this.clock, logger: this.logger, bus: this.bus });
    const secrets = loadScannerSecrets(dataDir, { create: true });
    this.scanner = new ScannerService({
      config,
      journal: this.journal,
      bus: this.bus,
      logger: this.logger,
      secrets: () => secrets,
      backoff: { minMs: 20, maxMs: 200, jitter: 0 },
    });
    const deletions = new SlotDeletions(this.journal, this.scanner, this.logger);
    const templateKey = (): Buffer => secrets.templateKey;
    const activities = new ActivityStore(this.journal, this.bus);
    this.deps = {
      members: new MemberStore(this.journal),
      removal: new MemberRemoval(this.journal, deletions),
      templates: {
        restore: new ModuleRestore({ journal: this.journal, scanner: this.scanner, templateKey, logger: this.logger }),
        templateKey,
      },
      enrollment: new EnrollmentService({
        journal: this.journal,
        scanner: this.scanner,
        deletions,
        templateKey,
        escrow: () => undefined,
        logger: this.logger,
      }),
      onEnrollPrompt: (prompt) => {
        this.prompts.push(prompt);
        this.onPrompt(prompt);
      },
      activities,
      plans: new PlanStore(this.journal),
      cameras: { names: config.cameras.map((camera) => camera.name), control: noCameraService },
      recordings: new RecordingUploads({
        journal: this.journal,
        queue: new FileQueue(this.journal),
        dataDir,
        activities,
        logger: this.logger,
      }),
      replayFrom: (seq) => this.outbox!.replayFrom(seq),
      config: { path: configPath, options: {}, overrideActive: false },
      requestRestart: (reason) => {
        this.restarts.push(reason);
        this.actions.push(`restart:${reason}`);
      },
      diagnostics: {
        journal: this.journal,
        scanner: this.scanner,
        disk: () => readBoard({ dataDir }).disk,
        // The doctor's own checks are the daemon's (test/doctor): none here.
        doctor: () => runChecks([]),
      },
    };
  }

  static async start(broker: Mosquitto, options: RigOptions = {}): Promise<CommandRig> {
    const { dir, cleanup } = makeTempDir('room-agent-commands-');
    const pair = options.centerKey === 'none' ? undefined : generateKeyPairSync('ed25519');
    const configPath = join(dir, 'config.yaml');
    writeFileSync(
      configPath,
      stringify({
        version: 1,
        device: { id: DEVICE_ID, dataDir: join(dir, 'data') },
        county: {
          url: broker.url,
          topicPrefix: PREFIX,
          keepaliveSeconds: 2,
          reconnectMinMs: 100,
          reconnectMaxMs: 500,
          ackTimeoutSeconds: 30,
          ...(pair && { centerPublicKey: publicKeyBase64(pair.publicKey) }),
        },
        scanner: options.scanner ?? { driver: 'none' },
        cameras: [{ name: 'front', url: 'rtsp://192.0.2.10/stream1' }],
      }),
    );
    const logger =
      options.logger ??
      (process.env.RIG_LOG ? createRootLogger({ level: 'debug', format: 'json' }) : createSilentLogger());
    const rig = new CommandRig(
      broker,
      dir,
      configPath,
      inspectConfig(configPath).config,
      pair?.privateKey,
      logger,
      cleanup,
    );
    await rig.scanner.start();
    return rig;
  }

  /** The agent (re)starting: a new link with the same client id (the broker keeps its session), outbox and processor. */
  async connect(): Promise<void> {
    const { county } = this.config;
    const link = new MqttLink({
      county,
      deviceId: DEVICE_ID,
      subscriptions: [this.topics.inbound],
      will: () => ({ topic: this.topics.state, payload: 'offline' }),
      logger: this.logger,
    });
    const outbox = new EventOutbox({
      journal: this.journal,
      link,
      topics: this.topics,
      deviceId: DEVICE_ID,
      limiter: new ByteRateLimiter(0),
      batchMaxEvents: county.batchMaxEvents,
      batchMaxBytes: county.batchMaxBytes,
      ackTimeoutMs: county.ackTimeoutSeconds * 1000,
      bus: this.bus,
      logger: this.logger,
      clock: this.clock,
    });
    const processor = new CommandProcessor({
      ...this.processorOptions(link),
      centerNow: () => outbox.centerClock.now(),
    });
    link.on('message', (message) => {
      if (message.topic === this.topics.ack) outbox.handleAck(message);
      else if (message.topic === this.topics.commands) void processor.handle(message);
    });
    const up = new Promise<void>((resolve) => link.on('up', () => resolve()));
    this.link = link;
    this.outbox = outbox;
    this.processor = processor;
    outbox.start();
    link.start();
    await up;
  }

  /** What the agent builds its CommandProcessor with (the center's time unknown). */
  processorOptions(link: MqttLink | undefined = this.link): CommandProcessorOptions {
    return {
      deviceId: DEVICE_ID,
      topics: this.topics,
      link: this.recording(link!),
      journal: this.journal,
      centerPublicKey: this.config.county.centerPublicKey,
      centerNow: () => undefined,
      handlers: this.deps,
      logger: this.logger,
    };
  }

  /** The center acknowledges the journal's head (at least one entry) with its time, and the room has taken a time. */
  async learnCenterTime(center: TestCenter, centerTimeMs: number): Promise<void> {
    const head = this.journal.head();
    await center.ack(head.seq, head.hash, centerTimeMs);
    await until(() => this.outbox!.centerClock.now() !== undefined, 'the center’s time from its ack');
  }

  /** A clean stop of the agent's link (the broker keeps the session and queues commands). */
  async disconnect(): Promise<void> {
    await this.processor?.settled();
    await this.outbox?.stop();
    await this.link?.stop();
  }

  /** The link as the processor sees it, noting each reply the broker acknowledged. */
  private recording(link: MqttLink): Link {
    return {
      get state() {
        return link.state;
      },
      get session() {
        return link.session;
      },
      get inflight() {
        return link.inflight;
      },
      on: (event, listener) => link.on(event, listener),
      publish: async (request: PublishRequest) => {
        await link.publish(request);
        this.actions.push(`reply:${request.topic}`);
      },
    };
  }

  /** Removes the room's persistent session from the broker, so the next test's room starts clean. */
  private async endSession(): Promise<void> {
    const client = await mqtt.connectAsync(this.broker.url, {
      protocolVersion: 5,
      clientId: DEVICE_ID,
      clean: true,
      reconnectPeriod: 0,
      properties: { sessionExpiryInterval: 0 },
    });
    await client.endAsync();
  }

  snapshot(): Snapshot {
    const { db } = this.journal;
    const names = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as Array<{ name: string }>
    ).map((row) => row.name);
    const tables = Object.fromEntries(names.map((name) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]));
    const files = overrideFiles(this.config.device.dataDir);
    const read = (file: string): string | null => (existsSync(file) ? readFileSync(file, 'utf8') : null);
    return {
      tables,
      files: {
        config: read(this.configPath),
        override: read(files.override),
        lastGood: read(files.lastGood),
        trial: read(files.trial),
      },
    };
  }

  async close(): Promise<void> {
    await this.disconnect();
    await this.endSession();
    await this.scanner.stop();
    this.journal.close();
    this.cleanup();
  }
}

/** Base64 DER SPKI of a public key, or of a private key's public half. */
export function publicKeyBase64(key: KeyObject): string {
  return (key.type === 'public' ? key : createPublicKey(key))
    .export({ format: 'der', type: 'spki' })
    .toString('base64');
}

/** Signs as a county center does: Ed25519 over the canonical JSON of the envelope without its signature. */
export function signed(envelope: Record<string, unknown>, key: KeyObject): Record<string, unknown> {
  const { signature: _old, ...unsigned } = envelope;
  return { ...unsigned, signature: sign(null, Buffer.from(canonicalJson(unsigned), 'utf8'), key).toString('base64') };
}

export interface Sent {
  correlationData: Buffer;
}

export interface Received {
  topic: string;
  reply: CommandReply;
  correlationData: Buffer | undefined;
}

/** What the center sets on a command: its response topic (none: leave it out) and message expiry. */
export interface SendOptions {
  responseTopic?: string | null;
  expirySeconds?: number;
}

/** A county center in the test: an mqtt.js client that sends commands with MQTT 5 properties and collects replies. */
export class TestCenter {
  private nextId = 1;
  private readonly received: Received[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly client: MqttClient,
    private readonly topics: RoomTopics,
    readonly key: KeyObject | undefined,
  ) {
    client.on('message', (topic, payload, packet) => {
      this.received.push({
        topic,
        reply: commandReplySchema.parse(JSON.parse(payload.toString('utf8'))),
        correlationData: packet.properties?.correlationData,
      });
      for (const wake of this.waiters) wake();
    });
  }

  static async connect(rig: CommandRig): Promise<TestCenter> {
    const client = mqtt.connect(rig.broker.url, {
      protocolVersion: 5,
      clientId: `center-${randomBytes(4).toString('hex')}`,
      reconnectPeriod: 0,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    // The default reply topic and any under it a command names.
    await client.subscribeAsync([`${rig.topics.base}/out/replies`, `${rig.topics.base}/out/replies/#`], { qos: 1 });
    return new TestCenter(client, rig.topics, rig.centerKey);
  }

  /** A fresh command envelope (the next id) for this room. */
  envelope(
    type: string,
    params: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return { v: 1, id: this.nextId++, deviceId: DEVICE_ID, type, params, ...extra };
  }

  /** The envelope signed with the center's key. */
  signed(envelope: Record<string, unknown>): Record<string, unknown> {
    return signed(envelope, this.key!);
  }

  /** A fresh envelope signed with the center's key: what a room with a center key carries out. */
  command(
    type: string,
    params: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return this.signed(this.envelope(type, params, extra));
  }

  /** Sets the next id (the center's counter), e.g. to send an id below one already used. */
  useId(id: number): void {
    this.nextId = id;
  }

  async post(body: Record<string, unknown> | Buffer, options: SendOptions = {}): Promise<Sent> {
    const correlationData = randomBytes(16);
    const responseTopic = options.responseTopic === undefined ? this.topics.replies : options.responseTopic;
    await this.client.publishAsync(this.topics.commands, Buffer.isBuffer(body) ? body : JSON.stringify(body), {
      qos: 1,
      properties: {
        correlationData,
        messageExpiryInterval: options.expirySeconds ?? 60,
        ...(responseTopic !== null && { responseTopic }),
      },
    });
    return { correlationData };
  }

  /** The reply carrying this correlation data, within timeoutMs. */
  async reply({ correlationData }: Sent, timeoutMs = 10_000): Promise<Received> {
    const find = (): Received | undefined =>
      this.received.find((entry) => entry.correlationData?.equals(correlationData));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** Sends and waits for the reply. */
  async send(body: Record<string, unknown> | Buffer, options: SendOptions = {}, timeoutMs?: number): Promise<Received> {
    return this.reply(await this.post(body, options), timeoutMs);
  }

  /** Every reply that arrived so far with this correlation data. */
  repliesTo({ correlationData }: Sent): Received[] {
    return this.received.filter((entry) => entry.correlationData?.equals(correlationData));
  }

  async ack(seq: number, hash: string, centerTimeMs: number): Promise<void> {
    await this.client.publishAsync(this.topics.ack, JSON.stringify({ v: 1, seq, hash, centerTimeMs }), {
      qos: 1,
      properties: { messageExpiryInterval: CENTER_ACK_EXPIRY_SECONDS },
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/**
 * For a test file: English messages, one broker for the file, and rooms (with their center)
 * that are closed after each test. `room()` starts one connected room and its center.
 */
export function useRooms(): {
  room: (options?: RigOptions) => Promise<{ rig: CommandRig; center: TestCenter }>;
  onClose: (resource: { close(): Promise<void> }) => void;
} {
  let broker: Mosquitto;
  const opened: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    setLanguage('en');
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.stop();
  });
  afterEach(async () => {
    for (const resource of opened.splice(0).reverse()) await resource.close();
  });
  return {
    async room(options = {}) {
      const rig = await CommandRig.start(broker, options);
      opened.push(rig);
      await rig.connect();
      const center = await TestCenter.connect(rig);
      opened.push(center);
      return { rig, center };
    },
    onClose: (resource) => opened.push(resource),
  };
}

/** The whole reply of a command carried out. */
export function done(commandId: number, result?: unknown): CommandReply {
  return {
    v: MESSAGE_VERSIONS.reply,
    deviceId: DEVICE_ID,
    commandId,
    status: 'done',
    ...(result !== undefined && { result }),
  };
}

/** The whole reply of a command refused or failed. */
export function refused(commandId: number | null, code: CommandErrorCode, message: string): CommandReply {
  return { v: MESSAGE_VERSIONS.reply, deviceId: DEVICE_ID, commandId, status: 'error', error: { code, message } };
}
