import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { brokerForDisplay } from '../sync/link/brokerUrl.js';
import { settleWithin } from '../util/settleWithin.js';

const t = defineMessages({
  unreachable: {
    zh: '{seconds} 秒内无法连接代理服务器 {url}：{reason}',
    en: 'cannot reach the broker {url} within {seconds} s: {reason}',
  },
});

/** How the center reaches the county broker. */
export interface BrokerOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** PEM bytes for mqtts:// with the county CA and, for mutual TLS, the center's certificate. */
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
}

/** The center's session outlives a restart by a week: rooms' batches wait at the broker meanwhile. */
const SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

/**
 * An MQTT 5 client for the center. `persistent` keeps a session under a stable client id, so
 * what rooms publish while the center is down waits for it. The center is one client, not five
 * hundred: mqtt.js's fixed reconnect period is fine here. Subscriptions are made by the caller
 * on every connect (resubscribe off), which also brings the rooms' retained state again.
 */
export async function connectBroker(
  options: BrokerOptions,
  clientId: string,
  persistent: boolean,
): Promise<MqttClient> {
  // Loaded on use: the daemon's command line loads this module, and needs mqtt.js only later, in its link.
  const { default: mqtt } = await import('mqtt');
  return mqtt.connect(options.url, {
    protocolVersion: 5,
    clientId,
    clean: !persistent,
    username: options.username,
    password: options.password,
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    keepalive: 30,
    connectTimeout: 10_000,
    reconnectPeriod: 2_000,
    resubscribe: false,
    properties: persistent ? { sessionExpiryInterval: SESSION_EXPIRY_SECONDS } : {},
  });
}

/** A QoS 1 publish that resolves on the broker's PUBACK, in the shape CommandSender takes. */
export function publisher(
  client: MqttClient,
): (topic: string, payload: string, properties: IClientPublishOptions['properties']) => Promise<void> {
  return async (topic, payload, properties) => {
    await client.publishAsync(topic, payload, { qos: 1, properties });
  };
}

/** Resolves on the client's next connection. */
export function nextConnect(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('connect', () => resolve()));
}

/**
 * Waits for `ready` (the first connection, or the first subscription) while the client keeps
 * retrying; rejects with CenterUnavailable, naming the last connection error, after timeoutMs.
 */
export async function brokerReady(
  client: MqttClient,
  ready: Promise<void>,
  url: string,
  timeoutMs: number,
): Promise<void> {
  let lastError = 'no answer';
  const onError = (error: Error) => (lastError = error.message);
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // --broker may carry a user name and password; an error message ends up in logs and tickets.
      const shown = brokerForDisplay(url);
      reject(
        new AgentError(
          ErrorCode.CenterUnavailable,
          t('unreachable', { url: shown, seconds: Math.round(timeoutMs / 1000), reason: lastError }),
          { url: shown },
        ),
      );
    }, timeoutMs);
  });
  try {
    await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}

/**
 * Ends the client: cleanly (DISCONNECT) once the broker acknowledged what is still in flight,
 * else at once, each wait bounded by `timeoutMs`. mqtt.js's own end() waits for every
 * unacknowledged QoS 1 publish, and its clean end for the socket to close: with the broker gone
 * or the link half-open, forever. What is cut off here (an ack, a file ack) the center sends
 * again after its next start, when the room reconnects.
 */
export async function endClient(client: MqttClient, timeoutMs: number): Promise<void> {
  const inFlight = (): boolean => Object.keys(client.outgoing).length > 0;
  if (inFlight())
    await settleWithin(new Promise((resolve) => client.once('outgoingEmpty', () => resolve(undefined))), timeoutMs);
  await settleWithin(client.endAsync(inFlight()), timeoutMs);
  // A socket left open would keep the process alive after the center stopped.
  client.stream?.destroy();
}
