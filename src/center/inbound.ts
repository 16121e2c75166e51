import type { IPublishPacket } from 'mqtt';
import type { z } from 'zod';
import { BatchDecodeError, decodeEventBatch, type EventBatch } from '../sync/protocol/eventBatch.js';
import { stateMessageSchema } from '../sync/protocol/messages.js';
import type { OutboundKind } from '../sync/protocol/topics.js';
import type { FileMessageExtra } from './fileReceiver.js';

/** Why a message from a room was refused, for the log and the room's counter; never the payload itself. */
export class BadMessage extends Error {}

const deviceIdSchema = stateMessageSchema.shape.deviceId;

/**
 * The device id a topic under `<prefix>/rooms/` names, also for a topic the center does not know
 * (so a bad message is counted against its room); undefined when it names no valid device id.
 */
export function topicDeviceId(prefix: string, topic: string): string | undefined {
  const head = `${prefix}/rooms/`;
  if (!topic.startsWith(head)) return undefined;
  const deviceId = topic.slice(head.length).split('/')[0] ?? '';
  return deviceIdSchema.safeParse(deviceId).success ? deviceId : undefined;
}

function issueList(issues: readonly z.core.$ZodIssue[], what: string): string {
  return issues.map((issue) => `${issue.path.join('.') || what}: ${issue.message}`).join('; ');
}

/** A JSON message (state, health) that must name the room whose topic it came on; throws BadMessage. */
export function parseRoomMessage<T extends { deviceId: string }>(
  payload: Buffer,
  schema: z.ZodType<T>,
  what: string,
  deviceId: string,
): T {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw new BadMessage(`${what} is not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new BadMessage(`${what} is invalid: ${issueList(parsed.error.issues, what)}`);
  if (parsed.data.deviceId !== deviceId) throw new BadMessage(`${what} names device ${parsed.data.deviceId}`);
  return parsed.data;
}

/** An event batch of this room (eventBatch.ts decodes, inflating only within its limit, and recomputes every hash); throws BadMessage. */
export function parseBatch(payload: Buffer, packet: IPublishPacket, deviceId: string): EventBatch {
  let batch: EventBatch;
  try {
    batch = decodeEventBatch(payload, { userProperties: singleValued(packet.properties?.userProperties) });
  } catch (error) {
    if (error instanceof BatchDecodeError) throw new BadMessage(error.message);
    throw error;
  }
  if (batch.deviceId !== deviceId) throw new BadMessage(`event batch names device ${batch.deviceId}`);
  return batch;
}

/** MQTT allows a user property to repeat; the protocol's properties are single: the first counts. */
function singleValued(properties: Record<string, string | string[]> | undefined): Record<string, string> | undefined {
  if (properties === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(properties).map(([key, value]) => [key, Array.isArray(value) ? (value[0] ?? '') : value]),
  );
}

/** What a file topic carried besides the file id, in the receiver's terms. */
export function fileExtra(parsed: OutboundKind): FileMessageExtra {
  if (parsed.kind === 'file-segment') return { offset: parsed.offset };
  if (parsed.kind === 'file-fin') return { size: parsed.size, sha256: parsed.sha256 };
  return {};
}
