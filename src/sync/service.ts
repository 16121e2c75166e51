import type { Config } from '../config/schema.js';
import type { EventBus } from '../daemon/bus.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log.js';
import { CommandProcessor } from './commands/commandProcessor.js';
import type { CommandDependencies } from './commands/dependencies.js';
import { CenterRoundTripProbe } from './centerRoundTrip.js';
import { FileUploader } from './files/uploader.js';
import { HealthPublisher } from './health/healthPublisher.js';
import type { HealthSources } from './health/healthMessage.js';
import type { InboundMessage, PublishRequest } from './link/types.js';
import { MqttLink } from './link/mqttLink.js';
import { EventOutbox } from './outbox/eventOutbox.js';
import type { StateMessage } from './protocol/messages.js';
import { roomTopics, type RoomTopics } from './protocol/topics.js';
import { ByteRateLimiter } from './rateLimiter.js';
import { roomStateMessage, roomStatePublish } from './roomState.js';
import { UplinkBudgetApplier, type UplinkBudgetReport } from './uplinkBudget.js';

export interface SyncServiceOptions {
  deviceId: string;
  county: Config['county'];
  journal: Journal;
  bus: EventBus;
  logger: Logger;
  version: string;
  bootId: string;
  /** The center's time from its acknowledgements: a clock source where NTP is blocked. */
  onCenterTime(centerTimeMs: number): void;
  /** What center commands act on; the composition root passes the daemon's services. */
  commands: (sync: SyncControls) => CommandDependencies;
  /** The parts of the health message that come from outside sync (scanner, clock, board). */
  health: Omit<HealthSources, 'outbox' | 'files' | 'link'>;
  /** The live camera pushes' bitrate in all, kbit/s, undefined when none is live: the uplink budget's input. */
  pushKbps?: (() => number | undefined) | undefined;
}

/** What sync offers the commands it receives: a replay of the journal from a seq. */
export interface SyncControls {
  readonly replayFrom: (seq: number) => { fromSeq: number; toSeq: number };
}

export type StopReason = 'shutdown' | 'restart';

/**
 * The county link as one service: the MQTT link, the journal outbox, file uploads, center
 * commands and the health message, over one connection and one byte-rate cap. Inbound messages
 * are routed by topic; everything else each part does on the link's up/down events itself.
 */
export class SyncService implements Service {
  readonly name = 'sync';
  readonly topics: RoomTopics;
  readonly link: MqttLink;
  readonly outbox: EventOutbox;
  readonly files: FileUploader;
  /** The doctor's round trip to the center over this link. */
  readonly roundTrip: CenterRoundTripProbe;
  private readonly commands: CommandProcessor;
  private readonly healthPublisher: HealthPublisher;
  private readonly limiter: ByteRateLimiter;
  private readonly budget: UplinkBudgetApplier;
  private stopReason: StopReason = 'shutdown';
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly options: SyncServiceOptions) {
    const { county, deviceId, journal, bus, logger } = options;
    this.topics = roomTopics(county.topicPrefix, deviceId);
    this.limiter = new ByteRateLimiter(county.backfillBytesPerSecond);
    this.budget = new UplinkBudgetApplier({
      settings: {
        capBytesPerSecond: county.backfillBytesPerSecond,
        uplinkBytesPerSecond: county.uplinkBytesPerSecond,
        floorBytesPerSecond: county.backfillFloorBytesPerSecond,
      },
      limiter: this.limiter,
      pushKbps: options.pushKbps ?? (() => undefined),
    });
    this.link = new MqttLink({
      county,
      deviceId,
      subscriptions: [this.topics.inbound],
      will: () => ({ topic: this.topics.state, payload: JSON.stringify(this.stateMessage('offline', 'link-lost')) }),
      logger: logger.child({ module: 'link' }),
    });
    this.outbox = new EventOutbox({
      journal,
      link: this.link,
      topics: this.topics,
      deviceId,
      limiter: this.limiter,
      batchMaxEvents: county.batchMaxEvents,
      batchMaxBytes: county.batchMaxBytes,
      ackTimeoutMs: county.ackTimeoutSeconds * 1000,
      clock: options.health.clock,
      bus,
      logger: logger.child({ module: 'outbox' }),
      onCenterTime: (centerTimeMs) => options.onCenterTime(centerTimeMs),
    });
    this.files = new FileUploader({
      journal,
      link: this.link,
      topics: this.topics,
      limiter: this.limiter,
      segmentBytes: county.fileSegmentBytes,
      ackTimeoutMs: county.ackTimeoutSeconds * 1000,
      bus,
      logger: logger.child({ module: 'files' }),
    });
    this.commands = new CommandProcessor({
      deviceId,
      topics: this.topics,
      link: this.link,
      journal,
      centerPublicKey: county.centerPublicKey,
      centerNow: () => this.outbox.centerClock.now(),
      handlers: options.commands({ replayFrom: (seq) => this.outbox.replayFrom(seq) }),
      logger: logger.child({ module: 'commands' }),
    });
    this.roundTrip = new CenterRoundTripProbe(this.link, () => this.statePublish('online'));
    this.healthPublisher = new HealthPublisher({
      link: this.link,
      topics: this.topics,
      intervalMs: county.healthIntervalSeconds * 1000,
      bus,
      sources: { ...options.health, outbox: () => this.outbox.stats(), files: () => this.files.stats() },
      logger: logger.child({ module: 'health' }),
    });
  }

  /** Says why the coming stop() happens, for the retained offline state. */
  setStopReason(reason: StopReason): void {
    this.stopReason = reason;
  }

  start(): void {
    this.unsubscribe.push(
      this.link.on('up', () => void this.publishOnline()),
      this.link.on('message', (message) => this.route(message)),
    );
    this.budget.start();
    this.outbox.start();
    this.files.start();
    this.healthPublisher.start();
    this.link.start();
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.healthPublisher.stop();
    await this.files.stop();
    await this.outbox.stop();
    this.budget.stop();
    this.limiter.close(new Error('sync stopped'));
    await this.link.stop([this.statePublish('offline', this.stopReason)]);
  }

  health(): ServiceHealth {
    return this.link.health();
  }

  /** The rate backlog and files may take now, and what live pushes take, for status; undefined without county.uplinkBytesPerSecond. */
  uplinkBudget(): UplinkBudgetReport | undefined {
    return this.budget.report();
  }

  private route(message: InboundMessage): void {
    switch (message.topic) {
      case this.topics.ack:
        this.outbox.handleAck(message);
        this.roundTrip.ackArrived();
        return;
      case this.topics.commands:
        // handle() answers every failure itself; a rejection here would still end the daemon, so it is caught.
        this.commands
          .handle(message)
          .catch((error: unknown) =>
            this.options.logger.error({ err: error }, 'a command from the center was not handled'),
          );
        return;
      case this.topics.fileAcks:
        this.files.handleAck(message);
        return;
      default:
        this.options.logger.warn({ topic: message.topic }, 'ignoring a message on an unknown topic');
    }
  }

  private async publishOnline(): Promise<void> {
    try {
      await this.link.publish(this.statePublish('online'));
    } catch (error) {
      // The next connection publishes it again; a drop here is the link's business.
      this.options.logger.debug({ err: error }, 'online state not acknowledged');
    }
  }

  private statePublish(state: StateMessage['state'], reason?: string): PublishRequest {
    return roomStatePublish(this.topics.state, this.stateMessage(state, reason));
  }

  private stateMessage(state: StateMessage['state'], reason?: string): StateMessage {
    const { deviceId, version, bootId, journal } = this.options;
    return roomStateMessage({ deviceId, version, bootId, db: journal.db }, state, reason);
  }
}
