/**
 * The naive baseline of the sync benchmarks: a bare mqtt.js client that publishes a room's journal
 * one JSON entry per QoS 1 message, done when the broker has acknowledged every one (a PUBACK only:
 * the agent is measured until the center has stored and acknowledged, a stronger end point).
 * `window` bounds the publishes awaiting their PUBACK: 1 waits for each ack; 20 is Mosquitto's
 * Receive Maximum; a large window is mqtt.js's default "fire everything" behaviour, which has no
 * limit of its own but must stay below its 16-bit message-id space (its id provider wraps without
 * checking, so more outstanding publishes than that would reuse ids of unacknowledged ones).
 * `offline` is mqtt.js's own store and forward: it replays its offline store one message per
 * round trip. The fair baseline (the agent's own batches, bare) is syncBareBatches.ts.
 */
import mqtt, { type IClientPublishOptions } from 'mqtt';
import { Journal } from '../../src/journal/journal.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { createSilentLogger } from '../../src/log.js';
import { syncedClock } from './syncJournals.js';

/** Leaves room below 65,535 ids for mqtt.js's wrap-around provider. */
export const FIRE_ALL_WINDOW = 60_000;
const READ_CHUNK = 1_000;

export interface BarePublishOptions {
  url: string;
  dataDir: string;
  topic: string;
  window: number;
  /** Publish only the first `limit` entries (a shortened run on a slow link). */
  limit?: number | undefined;
  /**
   * mqtt.js's own store and forward: every publish is made before the client connects, so
   * mqtt.js keeps them in its offline store and replays them once connected. Timed from the connect.
   */
  offline?: boolean | undefined;
}

export interface BarePublishResult {
  events: number;
  /** From the first publish (after CONNACK) to the last PUBACK. */
  elapsedMs: number;
}

/** Reads the journal in chunks so a 100,000-entry backlog is not held in memory at once. */
function* journalEntries(journal: Journal, limit: number): Generator<JournalEntry> {
  let after = 0;
  let left = limit;
  while (left > 0) {
    const chunk = journal.read(after, Math.min(READ_CHUNK, left));
    if (chunk.length === 0) return;
    yield* chunk;
    after = chunk.at(-1)!.seq;
    left -= chunk.length;
  }
}

/** One message for publishWindowed: what mqtt.js publishes. */
export interface BarePublish {
  topic: string;
  payload: Buffer | string;
  options: IClientPublishOptions;
}

/** Keeps up to `window` publishes awaiting their PUBACK; resolves with the count acknowledged. */
export function publishWindowed(
  client: mqtt.MqttClient,
  messages: Iterator<BarePublish>,
  window: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let acknowledged = 0;
    let outstanding = 0;
    let exhausted = false;
    let failure: Error | undefined;
    const pump = (): void => {
      while (failure === undefined && !exhausted && outstanding < window) {
        const next = messages.next();
        if (next.done === true) {
          exhausted = true;
          break;
        }
        outstanding += 1;
        client.publish(next.value.topic, next.value.payload, next.value.options, (error) => {
          outstanding -= 1;
          if (error !== undefined && error !== null) failure ??= error;
          else acknowledged += 1;
          pump();
        });
      }
      if (failure !== undefined) reject(failure);
      else if (exhausted && outstanding === 0) resolve(acknowledged);
    };
    client.once('close', () =>
      reject(new Error(`the broker closed the bare client's connection after ${acknowledged} acknowledged publishes`)),
    );
    pump();
  });
}

/** Each entry as its own JSON message, QoS 1: what a naive integration sends. */
function* oneEntryPerMessage(topic: string, entries: Iterator<JournalEntry>): Generator<BarePublish> {
  for (let next = entries.next(); next.done !== true; next = entries.next())
    yield { topic, payload: JSON.stringify(next.value), options: { qos: 1 } };
}

export const CLIENT_OPTIONS = { protocolVersion: 5, clean: true, reconnectPeriod: 0, keepalive: 60 } as const;

export async function publishBare(options: BarePublishOptions): Promise<BarePublishResult> {
  // Opened before the clock starts, as the agent's journal is.
  const journal = Journal.open({
    dataDir: options.dataDir,
    access: 'read',
    clock: syncedClock(),
    logger: createSilentLogger(),
  });
  const entries = journalEntries(journal, options.limit ?? Number.MAX_SAFE_INTEGER);
  const clientId = `bench-bare-${process.pid}`;
  try {
    if (options.offline === true) {
      const client = mqtt.connect(options.url, { ...CLIENT_OPTIONS, clientId, manualConnect: true });
      try {
        const acknowledged = publishWindowed(
          client,
          oneEntryPerMessage(options.topic, entries),
          Number.MAX_SAFE_INTEGER,
        );
        const started = performance.now();
        client.connect();
        const events = await acknowledged;
        return { events, elapsedMs: performance.now() - started };
      } finally {
        await client.endAsync(true);
      }
    }
    const client = await mqtt.connectAsync(options.url, { ...CLIENT_OPTIONS, clientId });
    try {
      const started = performance.now();
      const events = await publishWindowed(client, oneEntryPerMessage(options.topic, entries), options.window);
      return { events, elapsedMs: performance.now() - started };
    } finally {
      await client.endAsync(true);
    }
  } finally {
    journal.close();
  }
}
