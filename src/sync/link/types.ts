/**
 * The seam between the MQTT connection (link/) and what travels over it (outbox/, files/,
 * commands/, health/). Only link/ imports mqtt.js; the rest see this interface, so they can be
 * tested against a real broker through the real link, and reasoned about without mqtt.js quirks.
 */
export type LinkState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

/**
 * Who waits for an in-flight slot first when the window is full: control (state, replies,
 * acks of commands) before live sign-ins before backlog before files.
 */
export type PublishPriority = 'control' | 'live' | 'backfill' | 'file';

export interface MessageProperties {
  contentType?: string | undefined;
  responseTopic?: string | undefined;
  correlationData?: Buffer | undefined;
  /** Seconds left until the broker would have dropped the message (MQTT 5 message expiry). */
  messageExpiryInterval?: number | undefined;
  userProperties?: Record<string, string> | undefined;
}

export interface PublishRequest {
  topic: string;
  payload: Buffer | string;
  qos: 0 | 1;
  retain?: boolean | undefined;
  priority: PublishPriority;
  properties?: MessageProperties | undefined;
}

export interface InboundMessage {
  topic: string;
  payload: Buffer;
  properties: MessageProperties;
}

/** Facts of one established connection. */
export interface LinkSession {
  /** Increments with every new connection: lets a sender tell a stale PUBACK from a fresh one. */
  readonly connectionId: number;
  /** Receive Maximum from CONNACK (65535 when absent), already limited by county.maxInflight. */
  readonly window: number;
  /** The broker still had our session (CONNACK session present). */
  readonly sessionPresent: boolean;
}

export interface LinkEvents {
  up(session: LinkSession): void;
  down(reason: string): void;
  message(message: InboundMessage): void;
}

export interface Link {
  readonly state: LinkState;
  /** The current connection, undefined while not connected. */
  readonly session: LinkSession | undefined;
  /**
   * Publishes once a slot in the in-flight window is free (QoS 1), highest priority first.
   * Resolves on PUBACK (QoS 1) or when written (QoS 0). Rejects with LinkDownError when the
   * connection ends first (nothing is queued across connections: callers resend from their own
   * durable state), or with LinkPublishRefused when the broker answers with a reason code ≥ 0x80.
   */
  publish(request: PublishRequest): Promise<void>;
  /** Number of QoS 1 publishes sent and not yet acknowledged (never above session.window). */
  readonly inflight: number;
  on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): () => void;
}
