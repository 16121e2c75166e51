/**
 * The fair baseline of the sync benchmarks: the agent's work minus the agent. A bare mqtt.js
 * client publishes the very batches the agent would (the journal cut by the outbox's Batcher and
 * encoded by its encoder, all before the clock starts) with the agent's in-flight window
 * (county.maxInflight, lowered by the broker's Receive Maximum), after the same retained online
 * state the center learns the room's keys from, and is timed, like the agent, from connecting
 * until the center has acknowledged the journal's head. What it leaves out: reading the journal
 * and encoding while sending, the link's window and priorities, the byte cap, the cursor.
 */
import mqtt from 'mqtt';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { publishOptions } from '../../src/sync/link/publishPacket.js';
import { Batcher } from '../../src/sync/outbox/batcher.js';
import { encodeEventBatch, EVENT_BATCH_PROPERTIES } from '../../src/sync/protocol/eventBatch.js';
import { centerAckSchema } from '../../src/sync/protocol/messages.js';
import { roomTopics, type RoomTopics } from '../../src/sync/protocol/topics.js';
import { roomStateMessage, roomStatePublish } from '../../src/sync/roomState.js';
import { CLIENT_OPTIONS, publishWindowed, type BarePublish } from './syncBareClient.js';
import { syncedClock } from './syncJournals.js';
import { countySettings } from './syncRooms.js';

/** mqtt.js's window when a broker names no Receive Maximum, as the link assumes (MQTT 5's default). */
const DEFAULT_RECEIVE_MAXIMUM = 65_535;

export interface BareBatchesJob {
  kind: 'bare-batches';
  url: string;
  deviceId: string;
  dataDir: string;
  /** Over the schema's defaults, as for the agent's rooms: the batch bounds and maxInflight come from here. */
  county: Record<string, unknown>;
}

export interface BareBatchesResult {
  events: number;
  batches: number;
  /** The window used: min(county.maxInflight, the broker's Receive Maximum). */
  window: number;
  /** Cutting and encoding every batch, before the clock starts. */
  encodeMs: number;
  /** From connecting until the center acknowledged the head. */
  elapsedMs: number;
}

/** A journal's backlog as the agent's encoded batches, with the online state that goes first. */
export interface PreparedBatches {
  topics: RoomTopics;
  state: BarePublish;
  batches: BarePublish[];
  headSeq: number;
  events: number;
  maxInflight: number;
  encodeMs: number;
}

export function prepareBatches(job: BareBatchesJob): PreparedBatches {
  const started = performance.now();
  const county = countySettings(job.url, job.deviceId, job.dataDir, job.county);
  const clock = syncedClock();
  const journal = Journal.open({ dataDir: job.dataDir, access: 'read', clock, logger: createSilentLogger() });
  try {
    const topics = roomTopics(county.topicPrefix, job.deviceId);
    const identity = { deviceId: job.deviceId, version: 'bench', bootId: clock.bootId, db: journal.db };
    const headSeq = journal.head().seq;
    const cursor = journal.syncCursor()?.seq ?? 0;
    const batcher = new Batcher(journal, job.deviceId, {
      maxEvents: county.batchMaxEvents,
      maxBytes: county.batchMaxBytes,
    });
    // The options the outbox's sender gives every batch (QoS 1, the encoding's properties).
    const options = publishOptions({
      topic: topics.events,
      payload: '',
      qos: 1,
      priority: 'backfill',
      properties: EVENT_BATCH_PROPERTIES,
    });
    const batches: BarePublish[] = [];
    for (let after = cursor; after < headSeq;) {
      const entries = batcher.read(after, headSeq);
      if (entries.length === 0) throw new Error(`the journal in ${job.dataDir} has a gap after seq ${after}`);
      batches.push({ topic: topics.events, payload: encodeEventBatch(job.deviceId, 'backfill', entries), options });
      after = entries.at(-1)!.seq;
    }
    const state = roomStatePublish(topics.state, roomStateMessage(identity, 'online'));
    return {
      topics,
      state: { topic: state.topic, payload: state.payload, options: publishOptions(state) },
      batches,
      headSeq,
      events: headSeq - cursor,
      maxInflight: county.maxInflight,
      encodeMs: performance.now() - started,
    };
  } finally {
    journal.close();
  }
}

/** Resolves once an ack on `topic` reaches `headSeq`. */
function centerAcked(client: mqtt.MqttClient, topic: string, headSeq: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.on('message', (received, payload) => {
      if (received !== topic) return;
      const ack = centerAckSchema.safeParse(JSON.parse(payload.toString('utf8')));
      if (!ack.success) reject(new Error(`the center sent an invalid ack: ${ack.error.message}`));
      else if (ack.data.seq >= headSeq) resolve();
    });
  });
}

export async function sendBatches(job: BareBatchesJob, prepared: PreparedBatches): Promise<BareBatchesResult> {
  const started = performance.now();
  const client = mqtt.connect(job.url, { ...CLIENT_OPTIONS, clientId: job.deviceId });
  try {
    const connack = await new Promise<mqtt.IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    const window = Math.max(
      1,
      Math.min(connack.properties?.receiveMaximum ?? DEFAULT_RECEIVE_MAXIMUM, prepared.maxInflight),
    );
    const acked = centerAcked(client, prepared.topics.ack, prepared.headSeq);
    await client.subscribeAsync(prepared.topics.inbound, { qos: 1 });
    // One window for the state and the batches, the state first: as the link serves them.
    await Promise.all([publishWindowed(client, [prepared.state, ...prepared.batches].values(), window), acked]);
    return {
      events: prepared.events,
      batches: prepared.batches.length,
      window,
      encodeMs: prepared.encodeMs,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await client.endAsync(true);
  }
}
