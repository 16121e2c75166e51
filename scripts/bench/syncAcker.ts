/**
 * A receiving side that only decodes and acknowledges: what the room side can do when the far
 * end costs next to nothing. It checks that batches join up (else it would acknowledge a gap) and
 * gets the hashes it acknowledges from decoding (which recomputes them), but checks no signatures
 * and stores nothing; the reference CountyCenter does all of that, and Ed25519
 * verification alone (~16,000/s on one core of the bench VM) caps what any verifying center ingests.
 */
import mqtt from 'mqtt';
import { decodeEventBatch } from '../../src/sync/protocol/eventBatch.js';
import { MESSAGE_VERSIONS, type CenterAck } from '../../src/sync/protocol/messages.js';
import { parseOutboundTopic, roomTopics, allRoomsOutbound } from '../../src/sync/protocol/topics.js';

export interface AckerStats {
  batches: number;
  events: number;
  /** Batches that overlapped what was already acknowledged (resent after a reconnect). */
  duplicateBatches: number;
}

export interface Acker {
  stats(): AckerStats;
  close(): Promise<void>;
}

export async function startAcker(url: string, prefix: string): Promise<Acker> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `bench-acker-${process.pid}`,
    clean: true,
    reconnectPeriod: 0,
  });
  const acked = new Map<string, number>();
  const stats: AckerStats = { batches: 0, events: 0, duplicateBatches: 0 };
  client.on('message', (topic, payload, packet) => {
    const parsed = parseOutboundTopic(prefix, topic);
    if (parsed?.kind !== 'events') return;
    const userProperties = packet.properties?.userProperties as Record<string, string> | undefined;
    const batch = decodeEventBatch(payload, { contentType: packet.properties?.contentType, userProperties });
    stats.batches += 1;
    const through = acked.get(parsed.deviceId) ?? 0;
    if (batch.fromSeq > through + 1) return;
    if (batch.toSeq <= through) {
      stats.duplicateBatches += 1;
      return;
    }
    stats.events += batch.toSeq - through;
    acked.set(parsed.deviceId, batch.toSeq);
    const ack: CenterAck = {
      v: MESSAGE_VERSIONS.ack,
      seq: batch.toSeq,
      hash: batch.entries.at(-1)!.hash,
      centerTimeMs: Date.now(),
      heldSeq: batch.toSeq,
    };
    client.publish(roomTopics(prefix, parsed.deviceId).ack, JSON.stringify(ack), { qos: 1 });
  });
  await client.subscribeAsync(allRoomsOutbound(prefix), { qos: 1 });
  return {
    stats: () => ({ ...stats }),
    close: () => client.endAsync(),
  };
}
