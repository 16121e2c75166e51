import type { IClientPublishOptions, IPublishPacket } from 'mqtt';
import { LinkPublishInvalid } from './errors.js';
import type { MessageProperties, PublishRequest } from './types.js';

/** The largest remaining length MQTT can encode (four varint bytes). */
const MQTT_MAX_REMAINING = 268_435_455;
const MAX_TOPIC_BYTES = 65_535;

function varintBytes(value: number): number {
  return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
}

function stringBytes(value: string | undefined): number {
  return value === undefined ? 0 : 3 + Buffer.byteLength(value);
}

/** Size of the MQTT 5 properties block the request would carry (identifier + value each). */
function propertiesBytes(properties: MessageProperties | undefined): number {
  if (properties === undefined) return 0;
  let bytes = stringBytes(properties.contentType) + stringBytes(properties.responseTopic);
  if (properties.correlationData !== undefined) bytes += 3 + properties.correlationData.length;
  if (properties.messageExpiryInterval !== undefined) bytes += 5;
  for (const [key, value] of Object.entries(properties.userProperties ?? {}))
    bytes += 1 + 2 + Buffer.byteLength(key) + 2 + Buffer.byteLength(value);
  return bytes;
}

/** Bytes the PUBLISH packet takes on the wire. */
export function publishPacketBytes(request: PublishRequest): number {
  const properties = propertiesBytes(request.properties);
  const payload = typeof request.payload === 'string' ? Buffer.byteLength(request.payload) : request.payload.length;
  const remaining =
    2 + Buffer.byteLength(request.topic) + (request.qos > 0 ? 2 : 0) + varintBytes(properties) + properties + payload;
  return 1 + varintBytes(remaining) + remaining;
}

/**
 * Refuses, before it reaches the socket, what would make mqtt.js throw or the broker drop the
 * whole connection (a wildcard topic, a packet above the broker's Maximum Packet Size): one bad
 * message must fail alone, not take the link and everything in flight down with it, and not
 * come back after every reconnect.
 */
export function checkPublish(request: PublishRequest, maximumPacketSize: number | undefined): void {
  const { topic, payload, qos } = request;
  if (typeof topic !== 'string' || topic === '') throw new LinkPublishInvalid(String(topic), 'the topic is empty');
  if (/[+#]/.test(topic) || topic.includes('\u0000'))
    throw new LinkPublishInvalid(topic, 'a topic to publish to cannot hold "+", "#" or NUL');
  if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES)
    throw new LinkPublishInvalid(topic.slice(0, 80), `the topic is longer than ${MAX_TOPIC_BYTES} bytes`);
  if (!(Buffer.isBuffer(payload) || typeof payload === 'string'))
    throw new LinkPublishInvalid(topic, 'the payload must be a Buffer or a string');
  if (qos !== 0 && qos !== 1) throw new LinkPublishInvalid(topic, `QoS ${String(qos)} is not supported (0 or 1)`);
  const bytes = publishPacketBytes(request);
  const limit = Math.min(maximumPacketSize ?? MQTT_MAX_REMAINING, MQTT_MAX_REMAINING);
  if (bytes > limit)
    throw new LinkPublishInvalid(topic, `the packet is ${bytes} bytes, the broker accepts at most ${limit}`);
}

/** mqtt.js publish options; absent properties are left out (mqtt-packet encodes every key it is given). */
export function publishOptions(request: PublishRequest): IClientPublishOptions {
  const properties = Object.fromEntries(
    Object.entries(request.properties ?? {}).filter(([, value]) => value !== undefined),
  );
  return {
    qos: request.qos,
    retain: request.retain === true,
    ...(Object.keys(properties).length === 0 ? {} : { properties }),
  };
}

/** An inbound message's MQTT 5 properties; of a repeated user property the first value counts. */
export function inboundProperties(packet: IPublishPacket): MessageProperties {
  const source = packet.properties ?? {};
  const userProperties =
    source.userProperties === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(source.userProperties).map(([key, value]) => [
            key,
            Array.isArray(value) ? String(value[0]) : String(value),
          ]),
        );
  return {
    contentType: source.contentType,
    responseTopic: source.responseTopic,
    correlationData: source.correlationData,
    messageExpiryInterval: source.messageExpiryInterval,
    userProperties,
  };
}
