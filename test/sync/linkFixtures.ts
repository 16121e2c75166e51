import { createServer, type AddressInfo, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import mqtt from 'mqtt';
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import { createRootLogger, type Logger } from '../../src/log.js';
import { MqttLink, type MqttLinkOptions } from '../../src/sync/link/mqttLink.js';
import type { LinkEvents } from '../../src/sync/link/types.js';
import { roomTopics, type RoomTopics } from '../../src/sync/protocol/topics.js';
import { MqttPacketSplitter, type MqttPacket } from '../helpers/mqttPackets.js';
import { seededRandom } from '../helpers/seededRandom.js';

/** Shared set-up of the link tests: county settings, a link, a watching client, waits. */

/** Quick to notice a dead link and to come back, so a test sees several cycles in seconds. */
export const FAST_LINK = { keepaliveSeconds: 2, reconnectMinMs: 100, reconnectMaxMs: 1000 } as const;

/** The county section with every default filled in, as the daemon gets it from its config. */
export function countySettings(url: string, overrides: Partial<ConfigInput['county']> = {}): Config['county'] {
  return configSchema.parse({ version: 1, device: { id: 'room-a' }, county: { url, ...FAST_LINK, ...overrides } })
    .county;
}

/** A logger whose JSON lines the test can read (to prove what is, and is not, logged). */
export function captureLogger(): { logger: Logger; text: () => string } {
  let text = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { logger: createRootLogger({ level: 'debug', format: 'json' }, stream), text: () => text };
}

export interface TestLink {
  link: MqttLink;
  topics: RoomTopics;
  logs: () => string;
}

/** A link for device `deviceId` that subscribes to its in/# and leaves an offline Will on out/state. */
export function makeLink(
  county: Config['county'],
  options: Partial<MqttLinkOptions> & { deviceId?: string } = {},
): TestLink {
  const deviceId = options.deviceId ?? 'room-a';
  const topics = roomTopics(county.topicPrefix, deviceId);
  const { logger, text } = captureLogger();
  const link = new MqttLink({
    county,
    deviceId,
    subscriptions: [topics.inbound],
    will: () => ({ topic: topics.state, payload: JSON.stringify({ state: 'offline', reason: 'link-lost' }) }),
    logger,
    random: seededRandom(7),
    ...options,
  });
  return { link, topics, logs: text };
}

/** The next `event` of the link (its arguments), or a failure after `timeoutMs`. */
export function nextEvent<E extends keyof LinkEvents>(
  link: MqttLink,
  event: E,
  timeoutMs = 10_000,
): Promise<Parameters<LinkEvents[E]>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${event}' within ${timeoutMs} ms; link health: ${JSON.stringify(link.health())}`));
    }, timeoutMs);
    const off = link.on(event, ((...args: Parameters<LinkEvents[E]>) => {
      clearTimeout(timer);
      off();
      resolve(args);
    }) as LinkEvents[E]);
  });
}

/** Polls `check` until it is true; fails after `timeoutMs` with `what`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  properties: mqtt.IPublishPacket['properties'];
}

/** A plain MQTT 5 client that records what it receives on `filters` (the center's view). */
export async function watch(
  url: string,
  filters: string[],
  options: mqtt.IClientOptions = {},
): Promise<{ client: mqtt.MqttClient; messages: Received[] }> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, ...options });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    messages.push({ topic, payload: payload.toString(), retain: packet.retain, properties: packet.properties }),
  );
  if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 });
  return { client, messages };
}

/** MQTT 5 CONNACK, success, no properties (so no Receive Maximum: the link must assume 65535). */
export const CONNACK_OK = Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]);
export const PINGRESP = Buffer.from([0xd0, 0x00]);

/** MQTT 5 SUBACK for `packetId` with one reason code. */
export function suback(packetId: number, reasonCode: number): Buffer {
  return Buffer.from([0x90, 0x04, packetId >> 8, packetId & 0xff, 0x00, reasonCode]);
}

/** MQTT 5 QoS 1 PUBLISH with an empty properties block; up to 16 kB. */
export function publishPacket(topic: string, packetId: number, payload: string): Buffer {
  const body = Buffer.concat([
    Buffer.from([topic.length >> 8, topic.length & 0xff]),
    Buffer.from(topic),
    Buffer.from([packetId >> 8, packetId & 0xff, 0x00]),
    Buffer.from(payload),
  ]);
  const length = body.length < 128 ? [body.length] : [(body.length & 0x7f) | 0x80, body.length >> 7];
  return Buffer.concat([Buffer.from([0x32, ...length]), body]);
}

/**
 * A scripted broker for what Mosquitto will not do on cue (refuse a subscription, deliver before
 * SUBACK): `respond` sees each client packet with its socket, and answers with the packets above.
 */
export async function startFakeBroker(
  respond: (packet: MqttPacket, socket: Socket) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const splitter = new MqttPacketSplitter();
    socket.on('data', (chunk: Buffer) => {
      for (const packet of splitter.push(chunk)) respond(packet, socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
