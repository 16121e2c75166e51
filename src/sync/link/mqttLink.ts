import type { connect as MqttConnect, IConnackPacket, IPublishPacket, MqttClient } from 'mqtt';
import type { RandomSource } from '../../util/backoff.js';
import type { Logger } from '../../log.js';
import { settleWithin } from '../../util/settleWithin.js';
import { brokerForDisplay } from './brokerUrl.js';
import { buildClientOptions, type CountySettings, type WillMessage } from './clientOptions.js';
import { LinkDownError } from './errors.js';
import { InflightWindow } from './inflightWindow.js';
import { linkHealthState, type LinkHealth } from './linkHealth.js';
import { LinkListeners } from './listeners.js';
import { checkPublish, inboundProperties, publishOptions } from './publishPacket.js';
import { describeError, publishError, reasonText, refusedSubscriptions } from './reasons.js';
import { ReconnectPolicy, STABLE_CONNECTION_MS } from './reconnectPolicy.js';
import type { InboundMessage, Link, LinkEvents, LinkSession, LinkState, PublishRequest } from './types.js';

export interface MqttLinkOptions {
  county: CountySettings;
  /** The MQTT client id; also the user name unless county.username says otherwise. */
  deviceId: string;
  /** Subscribed with QoS 1 after every CONNACK, before 'up'. */
  subscriptions: readonly string[];
  /** Built at every connect, so the offline state carries what is current then. Retained, QoS 1. */
  will: () => WillMessage;
  logger: Logger;
  /** Jitter of the reconnect delays; tests pass a seeded one. */
  random?: RandomSource;
  /** Monotonic milliseconds (performance.now()); the wall clock may jump. */
  now?: () => number;
  /** A connect (TCP, TLS, CONNACK, SUBACK) taking longer is abandoned. Default max(10 s, keepalive). */
  connectTimeoutMs?: number;
  /** How long stop() waits for the final messages' PUBACK, and again for the DISCONNECT. Default 3 s. */
  stopTimeoutMs?: number;
}

/** The MQTT 5 Receive Maximum when CONNACK does not state one. */
const DEFAULT_RECEIVE_MAXIMUM = 65_535;

/** One network connection, from the attempt to its end; never reused. */
interface Connection {
  readonly id: number;
  readonly client: MqttClient;
  readonly startedAt: number;
  lastPacketAt: number;
  keepaliveMs: number;
  maximumPacketSize?: number | undefined;
  session?: LinkSession | undefined;
  upAt?: number | undefined;
  lastError?: string | undefined;
  /** Rejecters of publishes written and not yet answered. */
  readonly pending: Set<(error: Error) => void>;
  /** Messages that arrived between CONNACK and 'up' (a persistent session delivers at once). */
  readonly held: InboundMessage[];
}

/**
 * The county link over mqtt.js (see types.ts for the contract). mqtt.js speaks MQTT; this class
 * owns everything mqtt.js gets wrong on a flaky 4G uplink: it reconnects with capped, jittered
 * backoff instead of every second, makes a fresh client per attempt (so mqtt.js's offline store
 * never replays anything), watches for half-open links itself, and enforces the broker's
 * Receive Maximum as a priority-ordered in-flight window.
 */
export class MqttLink implements Link {
  private readonly window = new InflightWindow();
  private readonly listeners: LinkListeners;
  private readonly policy: ReconnectPolicy;
  private readonly now: () => number;
  private readonly connectTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly url: string;
  private linkState: LinkState = 'disconnected';
  private started = false;
  /** mqtt.js's connect, once start() has loaded it. */
  private mqttConnect: typeof MqttConnect | undefined;
  private running = false;
  private connection: Connection | undefined;
  private connectionCount = 0;
  private lastConnectError: string | undefined;
  private subscribeWarning: string | undefined;
  private connectedSince: number | undefined;
  private nextAttemptAt: number | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly options: MqttLinkOptions) {
    const { county } = options;
    this.listeners = new LinkListeners(options.logger);
    this.policy = new ReconnectPolicy(
      { minMs: county.reconnectMinMs, maxMs: county.reconnectMaxMs, stableMs: STABLE_CONNECTION_MS },
      options.random,
    );
    this.now = options.now ?? (() => performance.now());
    this.connectTimeoutMs = options.connectTimeoutMs ?? Math.max(10_000, county.keepaliveSeconds * 1000);
    this.stopTimeoutMs = options.stopTimeoutMs ?? 3000;
    this.url = brokerForDisplay(county.url);
  }

  get state(): LinkState {
    return this.linkState;
  }

  get session(): LinkSession | undefined {
    return this.linkState === 'connected' ? this.connection?.session : undefined;
  }

  get inflight(): number {
    return this.window.inflight;
  }

  on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  /** Begins connecting and returns; an unreachable broker is retried, never thrown. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.running = true;
    const period = Math.max(100, Math.min(1000, this.options.county.keepaliveSeconds * 250));
    this.watchdog = setInterval(() => this.checkLiveness(), period);
    // The daemon has loaded it before the scanner started (app/preload.ts): then this finds it in
    // the module cache. Whatever else runs a link pays for loading it only when it connects.
    import('mqtt').then(
      (mqtt) => {
        this.mqttConnect = mqtt.default.connect;
        this.connect();
      },
      (error: unknown) =>
        this.options.logger.fatal(
          { err: error },
          'cannot load mqtt.js: the installation is broken; reinstall room-agent',
        ),
    );
  }

  /**
   * Publishes `final` (e.g. the offline state) if connected, waits briefly for their PUBACK,
   * then disconnects normally so the broker does NOT publish the Will. Resolves even when the
   * link is down; a stopped link stays stopped.
   */
  async stop(final: readonly PublishRequest[] = []): Promise<void> {
    if (!this.running) {
      this.linkState = 'stopped';
      return;
    }
    this.running = false;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.watchdog);
    const connection = this.connection;
    if (connection !== undefined && this.linkState === 'connected') {
      await settleWithin(Promise.allSettled(final.map((request) => this.send(request))), this.stopTimeoutMs);
      connection.lastError = 'the link was stopped';
      await settleWithin(
        new Promise<void>((resolve) => connection.client.end(false, { reasonCode: 0 }, () => resolve())),
        this.stopTimeoutMs,
      );
    }
    if (connection !== undefined) this.drop(connection, 'the link was stopped');
    this.linkState = 'stopped';
  }

  async publish(request: PublishRequest): Promise<void> {
    if (!this.running) throw new LinkDownError('the link is stopped');
    if (this.linkState !== 'connected') throw new LinkDownError('not connected');
    await this.send(request);
  }

  health(): LinkHealth {
    const session = this.session;
    const health = linkHealthState({
      started: this.started,
      state: this.linkState,
      url: this.url,
      attempts: this.policy.attempts,
      lastConnectError: this.lastConnectError,
      nextAttemptInMs: this.nextAttemptAt === undefined ? undefined : Math.max(0, this.nextAttemptAt - this.now()),
      warning: this.subscribeWarning,
    });
    return {
      ...health,
      connectedSince: this.connectedSince === undefined ? undefined : new Date(this.connectedSince).toISOString(),
      lastConnectError: this.lastConnectError,
      attempts: this.policy.attempts,
      sessionPresent: session?.sessionPresent,
      window: session?.window,
    };
  }

  private async send(request: PublishRequest): Promise<void> {
    checkPublish(request, this.connection?.maximumPacketSize);
    if (request.qos === 0) {
      const connection = this.connection;
      if (connection === undefined) throw new LinkDownError('not connected');
      return this.write(connection, request);
    }
    const slot = await this.window.acquire(request.priority);
    try {
      const connection = this.connection;
      if (connection?.id !== slot.generation)
        throw new LinkDownError('the connection ended while the publish waited for a slot');
      await this.write(connection, request);
    } finally {
      this.window.release(slot);
    }
  }

  /** Resolves on PUBACK (QoS 1) or once written (QoS 0); a drop of the connection rejects it. */
  private write(connection: Connection, request: PublishRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (error: Error): void => {
        connection.pending.delete(fail);
        reject(error);
      };
      connection.pending.add(fail);
      connection.client.publish(request.topic, request.payload, publishOptions(request), (error) => {
        if (!connection.pending.delete(fail)) return;
        if (error === undefined || error === null) resolve();
        else reject(publishError(request.topic, error));
      });
    });
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    this.nextAttemptAt = undefined;
    const mqttConnect = this.mqttConnect;
    if (!this.running || mqttConnect === undefined) return;
    this.linkState = 'connecting';
    const { county, deviceId } = this.options;
    let client: MqttClient;
    try {
      const options = buildClientOptions({
        county,
        deviceId,
        will: this.options.will(),
        connackTimeoutMs: this.connectTimeoutMs + 5000,
      });
      client = mqttConnect(county.url, options);
    } catch (error) {
      this.options.logger.error({ err: error, url: this.url }, 'cannot set up the county connection');
      this.retryLater(describeError(error));
      return;
    }
    const startedAt = this.now();
    const connection: Connection = {
      id: ++this.connectionCount,
      client,
      startedAt,
      lastPacketAt: startedAt,
      keepaliveMs: county.keepaliveSeconds * 1000,
      pending: new Set(),
      held: [],
    };
    this.connection = connection;
    client.on('packetreceive', () => (connection.lastPacketAt = this.now()));
    client.on('connect', (connack) => this.accepted(connection, connack));
    client.on('message', (topic, payload, packet) => this.received(connection, topic, payload, packet));
    client.on('error', (error) => (connection.lastError = describeError(error)));
    client.on(
      'disconnect',
      (packet) => (connection.lastError = `the broker disconnected: ${reasonText(packet.reasonCode)}`),
    );
    client.on('close', () => this.drop(connection, connection.lastError ?? 'the connection closed'));
  }

  /** CONNACK: learn the session's limits, subscribe, then tell everyone. */
  private accepted(connection: Connection, connack: IConnackPacket): void {
    if (connection !== this.connection) return;
    const { county, subscriptions } = this.options;
    const properties = connack.properties ?? {};
    // A Server Keep Alive of 0 would disable pings; mqtt.js then keeps ours, and so does the watchdog.
    connection.keepaliveMs = (properties.serverKeepAlive || county.keepaliveSeconds) * 1000;
    connection.maximumPacketSize = properties.maximumPacketSize;
    connection.session = {
      connectionId: connection.id,
      // A Receive Maximum of 0 is a protocol error; one slot keeps the link usable rather than throwing.
      window: Math.max(1, Math.min(properties.receiveMaximum ?? DEFAULT_RECEIVE_MAXIMUM, county.maxInflight)),
      sessionPresent: connack.sessionPresent,
    };
    if (subscriptions.length === 0) {
      this.up(connection);
      return;
    }
    connection.client.subscribe([...subscriptions], { qos: 1 }, (error) => {
      if (connection !== this.connection) return;
      const refused = error ? refusedSubscriptions(subscriptions, error) : [];
      if (error && refused.length === 0) {
        this.drop(connection, `subscribing failed: ${describeError(error)}`);
        return;
      }
      // Refused by the ACL: publishing still works, so stay up, but say commands cannot arrive.
      this.subscribeWarning =
        refused.length === 0
          ? undefined
          : `the broker refused the subscription to ${refused.join(', ')}: commands cannot arrive`;
      if (this.subscribeWarning !== undefined)
        this.options.logger.error({ url: this.url, subscriptions }, this.subscribeWarning);
      this.up(connection);
    });
  }

  private up(connection: Connection): void {
    const session = connection.session!;
    connection.upAt = this.now();
    this.connectedSince = Date.now();
    this.window.open(session.window, connection.id);
    this.linkState = 'connected';
    this.options.logger.info(
      { url: this.url, sessionPresent: session.sessionPresent, window: session.window, connectionId: connection.id },
      'connected to the county broker',
    );
    this.listeners.emit('up', session);
    // A drop meanwhile (a listener may stop the link) delivers the rest itself.
    while (connection === this.connection && connection.held.length > 0)
      this.listeners.emit('message', connection.held.shift()!);
  }

  private received(connection: Connection, topic: string, payload: Buffer, packet: IPublishPacket): void {
    if (connection !== this.connection) return;
    const message: InboundMessage = { topic, payload, properties: inboundProperties(packet) };
    if (connection.upAt === undefined) connection.held.push(message);
    else this.listeners.emit('message', message);
  }

  /** Ends `connection` for good: everything waiting on it fails with LinkDownError. */
  private drop(connection: Connection, reason: string): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    connection.client.end(true);
    // end(true) does nothing while a graceful end() still waits for PUBACKs (stop() on a half-open
    // link): the socket would stay open, and keep a stopped daemon's process from exiting.
    connection.client.stream?.destroy();
    const error = new LinkDownError(reason);
    for (const fail of [...connection.pending]) fail(error);
    this.window.close(error);
    // mqtt.js has already PUBACKed these: dropping them would lose them (a reply fails, the command does not).
    for (const message of connection.held.splice(0)) this.listeners.emit('message', message);
    const upMs = connection.upAt === undefined ? undefined : this.now() - connection.upAt;
    this.policy.connectionEnded(upMs);
    this.connectedSince = undefined;
    this.subscribeWarning = undefined;
    if (upMs !== undefined) {
      this.linkState = this.running ? 'disconnected' : 'stopped';
      if (this.running)
        this.options.logger.warn(
          { url: this.url, reason, upSeconds: Math.round(upMs / 1000) },
          'the county link went down',
        );
      this.listeners.emit('down', reason);
    }
    if (this.running) this.retryLater(reason, upMs !== undefined);
    else this.linkState = 'stopped';
  }

  /** Schedules the next attempt; a reason already logged (or logged just now as a drop) goes to debug. */
  private retryLater(reason: string, alreadyLogged = false): void {
    const quiet = alreadyLogged || reason === this.lastConnectError;
    this.lastConnectError = reason;
    const delay = this.policy.nextDelay();
    this.nextAttemptAt = this.now() + delay;
    this.linkState = 'disconnected';
    this.options.logger[quiet ? 'debug' : 'warn'](
      { url: this.url, reason, attempt: this.policy.attempts, nextInMs: delay },
      'cannot reach the county broker; retrying',
    );
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** mqtt.js has been seen to hang in both phases; this catches what its own timers miss. */
  private checkLiveness(): void {
    const connection = this.connection;
    if (connection === undefined) return;
    const now = this.now();
    if (connection.upAt === undefined) {
      if (now - connection.startedAt > this.connectTimeoutMs) {
        this.drop(
          connection,
          `no answer within ${this.connectTimeoutMs / 1000} s of connecting${connection.lastError === undefined ? '' : ` (${connection.lastError})`}`,
        );
      }
    } else if (now - connection.lastPacketAt > 2 * connection.keepaliveMs) {
      this.drop(
        connection,
        `nothing received for ${Math.round((now - connection.lastPacketAt) / 1000)} s (keepalive ${connection.keepaliveMs / 1000} s): the link is half-open`,
      );
    }
  }
}
