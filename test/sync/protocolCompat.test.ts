import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { CameraReport } from '../../src/cameras/types.js';
import { buildHealthMessage, type HealthSources } from '../../src/sync/health/healthMessage.js';
import { decodeEventBatch, EVENT_BATCH_PROPERTIES, encodeEventBatch } from '../../src/sync/protocol/eventBatch.js';
import {
  eventBatchSchema,
  healthMessageSchema,
  MESSAGE_VERSIONS,
  receivedCommandReplySchema,
  receivedHealthSchema,
  receivedStateSchema,
  UNREPORTED_VERIFICATION,
  type HealthMessage,
} from '../../src/sync/protocol/messages.js';
import { useCenter } from '../center/helpers.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { openJournal } from '../journal/helpers.js';
import { countySettings } from './linkFixtures.js';

/**
 * Messages of the release before cameras (protocol v1: health at `v: 1`), captured from
 * `room-agent run` against Mosquitto exactly as the broker delivered them.
 */
interface Captured {
  topic: string;
  userProperties?: Record<string, string>;
  payloadBase64: string;
}
const CAPTURED = (
  JSON.parse(readFileSync(new URL('fixtures/protocol-v1.json', import.meta.url), 'utf8')) as { messages: Captured[] }
).messages;
const V1_DEVICE = 'room-v1';

function capturedJson(kind: 'state' | 'health' | 'replies'): Record<string, unknown> {
  const message = CAPTURED.find((candidate) => candidate.topic.endsWith(`/out/${kind}`))!;
  return JSON.parse(Buffer.from(message.payloadBase64, 'base64').toString('utf8')) as Record<string, unknown>;
}

const capturedBatches = CAPTURED.filter((message) => message.topic.endsWith('/out/events'));

function batchJson(message: Captured): Record<string, unknown> {
  return JSON.parse(inflateRawSync(Buffer.from(message.payloadBase64, 'base64')).toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** Members opaque to the schemas (signed journal payloads, command results): a later release's extras stay out of them. */
const OPAQUE = new Set(['payload', 'params', 'result', 'meta']);

/** `value` as a room of a later release might send it: an unknown member in every object, at every level. */
function withExtras(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withExtras);
  if (value === null || typeof value !== 'object') return value;
  const grown = Object.fromEntries(
    Object.entries(value).map(([key, member]) => [key, OPAQUE.has(key) ? member : withExtras(member)]),
  );
  return { ...grown, addedLater: { note: 'a field this center does not know', level: [1, 2] } };
}

const CAMERAS: CameraReport[] = [
  {
    name: 'hall',
    state: 'live',
    video: { codec: 'h264', width: 640, height: 360, fps: 25 },
    audio: { codec: 'pcm_alaw', pushedAs: 'aac' },
    bitrateKbps: 812.4,
    restartsLastMinute: 1,
  },
  {
    name: 'door',
    state: 'failed',
    problem: 'h265-over-rtmp',
    detail: 'the camera sends H.265, which RTMP cannot carry: set its video encoding to H.264',
    lastError: `Video codec hevc is not compatible with flv ${'x'.repeat(400)}`,
    restartsLastMinute: 0,
  },
];

const temp = makeTempDir();
const journal = openJournal(join(temp.dir, 'data'), new FakeClock());
afterAll(() => {
  journal.close();
  temp.cleanup();
});

/** What this release's room builds from its sources (health/healthMessage.ts). */
function roomHealth(cameras: CameraReport[]): HealthMessage {
  const sources: HealthSources = {
    deviceId: 'room-v2',
    version: '0.2.0',
    clock: new FakeClock(),
    journal,
    uptimeSeconds: () => 12,
    scanner: { state: () => 'connected', stateDetail: () => undefined, driver: () => 'r30x' },
    cameras: () => cameras,
    board: () => ({ disk: null, cpuTemperatureC: null, throttled: null }),
    county: countySettings('mqtt://127.0.0.1:1'),
    outbox: () => ({ ackedSeq: 0, backlogEvents: 0, oldestUnsentAgeSeconds: null }),
    files: () => ({ pendingFiles: 0 }),
  };
  return buildHealthMessage(sources);
}

describe('messages only grow: the center reads the previous version and later releases', () => {
  it('the room sends exactly the current schema: health with cameras and event batches pass the strict schemas', () => {
    const health = roomHealth(CAMERAS);
    expect(healthMessageSchema.safeParse(health).error).toBeUndefined();
    expect(health.v).toBe(MESSAGE_VERSIONS.health);
    expect(health.cameras[1]!.lastError!.length).toBeLessThanOrEqual(300);
    const batch = decodeEventBatch(Buffer.from(capturedBatches[0]!.payloadBase64, 'base64'), EVENT_BATCH_PROPERTIES);
    const encoded = JSON.parse(
      inflateRawSync(encodeEventBatch(V1_DEVICE, batch.lane, batch.entries)).toString('utf8'),
    ) as unknown;
    expect(eventBatchSchema.safeParse(encoded).error).toBeUndefined();
    // What the strict schema refuses, a room cannot send: an extra member, a previous version.
    expect(healthMessageSchema.safeParse(withExtras(health)).success).toBe(false);
    expect(healthMessageSchema.safeParse(capturedJson('health')).success).toBe(false);
  });

  it('a v1 health message (no camera fields) is read, a v1 camera entry counts no restarts, and its verification is unreported', () => {
    const v1 = capturedJson('health');
    expect(v1.v).toBe(1);
    expect(receivedHealthSchema.parse(v1)).toEqual({
      ...v1,
      journal: { ...(v1.journal as object), verification: UNREPORTED_VERIFICATION },
    });
    const withCamera = { ...v1, cameras: [{ name: 'hall', state: 'live' }] };
    expect(receivedHealthSchema.parse(withCamera).cameras).toEqual([
      { name: 'hall', state: 'live', restartsLastMinute: 0 },
    ]);
  });

  it('tolerance never changes what is hashed: a batch with extra members rebuilds the same entries and hashes', () => {
    for (const message of capturedBatches) {
      const original = decodeEventBatch(Buffer.from(message.payloadBase64, 'base64'), EVENT_BATCH_PROPERTIES);
      const grown = decodeEventBatch(
        deflateRawSync(Buffer.from(JSON.stringify(withExtras(batchJson(message))))),
        EVENT_BATCH_PROPERTIES,
      );
      expect(grown).toEqual(original);
    }
    // A payload is hashed as sent, unknown members included: one added there changes the hash.
    const json = batchJson(capturedBatches[0]!);
    const entries = json.entries as Array<{ payload: Record<string, unknown> }>;
    entries[0]!.payload = { ...entries[0]!.payload, addedLater: true };
    const changed = decodeEventBatch(deflateRawSync(Buffer.from(JSON.stringify(json))), EVENT_BATCH_PROPERTIES);
    const original = decodeEventBatch(Buffer.from(capturedBatches[0]!.payloadBase64, 'base64'), EVENT_BATCH_PROPERTIES);
    expect(changed.entries[0]!.hash).not.toBe(original.entries[0]!.hash);
    expect(changed.entries[0]!.payload).toMatchObject({ addedLater: true });
  });

  it('still refuses what is malformed: an unknown version, a camera state it does not know, a bound exceeded', () => {
    const health = roomHealth(CAMERAS);
    const accepted = (value: unknown) => receivedHealthSchema.safeParse(value).success;
    expect(accepted(withExtras(health))).toBe(true);
    expect(accepted({ ...health, v: 3 })).toBe(false);
    expect(accepted({ ...health, v: 0 })).toBe(false);
    expect(accepted({ ...health, cameras: [{ ...CAMERAS[0], state: 'exploded' }] })).toBe(false);
    expect(accepted({ ...health, cameras: [{ ...CAMERAS[0], detail: 'x'.repeat(501) }] })).toBe(false);
    expect(accepted({ ...health, cameras: Array.from({ length: 9 }, () => CAMERAS[0]) })).toBe(false);
    expect(accepted({ ...health, cameras: [{ ...CAMERAS[0], video: { codec: 'h264', width: 640 } }] })).toBe(false);
    const { journal: _journal, ...withoutJournal } = health;
    expect(accepted(withoutJournal)).toBe(false);
    expect(receivedStateSchema.safeParse({ ...capturedJson('state'), keys: 'none' }).success).toBe(false);
    expect(receivedCommandReplySchema.safeParse({ ...capturedJson('replies'), status: 'maybe' }).success).toBe(false);
    const batch = batchJson(capturedBatches[0]!);
    expect(() =>
      decodeEventBatch(
        deflateRawSync(Buffer.from(JSON.stringify({ ...batch, toSeq: (batch.toSeq as number) + 1 }))),
        EVENT_BATCH_PROPERTIES,
      ),
    ).toThrow(/toSeq/);
  });
});

describe('the reference center over a real Mosquitto, with rooms of the previous and a later release', () => {
  const fixture = useCenter();

  /** Publishes one captured (or grown) message on its topic, retained as the room retained it. */
  async function replay(topic: string, payload: Buffer, userProperties?: Record<string, string>): Promise<void> {
    const client = await mqtt.connectAsync(fixture().broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    try {
      await client.publishAsync(topic, payload, {
        qos: 1,
        retain: topic.endsWith('/state') || topic.endsWith('/health'),
        properties: userProperties === undefined ? {} : { userProperties },
      });
    } finally {
      await client.endAsync();
    }
  }

  it('stores and verifies the captured v1 messages: state, health, every event batch, a command reply', async () => {
    const f = fixture();
    for (const message of CAPTURED)
      await replay(message.topic, Buffer.from(message.payloadBase64, 'base64'), message.userProperties);
    const lastSeq = Math.max(...capturedBatches.map((message) => batchJson(message).toSeq as number));
    await f.center.waitForContiguous(V1_DEVICE, lastSeq);
    await f.center.waitFor(() => f.center.room(V1_DEVICE)?.headSeq !== null, 10_000, 'the v1 health message');
    const room = f.center.room(V1_DEVICE)!;
    expect(room).toMatchObject({ broken: null, badMessages: 0, cameras: [], scannerDriver: 'none' });
    expect(f.center.eventCount(V1_DEVICE)).toBe(lastSeq);
    expect(f.center.stats().badMessages).toBe(0);
  });

  it('reads a room of a later release with extra members at every level, and refuses a malformed one', async () => {
    const f = fixture();
    for (const message of CAPTURED) {
      const raw = Buffer.from(message.payloadBase64, 'base64');
      const grown = message.topic.endsWith('/out/events')
        ? deflateRawSync(Buffer.from(JSON.stringify(withExtras(batchJson(message)))))
        : Buffer.from(JSON.stringify(withExtras(JSON.parse(raw.toString('utf8')))));
      await replay(message.topic, grown, message.userProperties);
    }
    const lastSeq = Math.max(...capturedBatches.map((message) => batchJson(message).toSeq as number));
    await f.center.waitForContiguous(V1_DEVICE, lastSeq);
    expect(f.center.room(V1_DEVICE)).toMatchObject({ broken: null, badMessages: 0 });

    const health = { ...roomHealth(CAMERAS), deviceId: 'room-v2' };
    await replay('county/rooms/room-v2/out/health', Buffer.from(JSON.stringify(withExtras(health))));
    await f.center.waitFor(() => (f.center.room('room-v2')?.cameras.length ?? 0) > 0, 10_000, 'the v2 health');
    expect(f.center.room('room-v2')!.cameras).toEqual(health.cameras);

    const malformed = { ...health, cameras: [{ ...CAMERAS[0], state: 'exploded' }] };
    await replay('county/rooms/room-v2/out/health', Buffer.from(JSON.stringify(malformed)));
    await f.center.waitFor(() => f.center.room('room-v2')!.badMessages === 1, 10_000, 'the refusal');
    expect(f.center.room('room-v2')!.cameras).toEqual(health.cameras);
  });
});
