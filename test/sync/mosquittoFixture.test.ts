import { afterEach, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';

let broker: Mosquitto | undefined;
afterEach(async () => {
  await broker?.stop();
});

it('starts a real Mosquitto that advertises its max_inflight_messages as Receive Maximum to MQTT 5 clients', async () => {
  broker = await startMosquitto({ maxInflight: 5 });
  const client = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  const connack = await new Promise<mqtt.IConnackPacket>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  expect(connack.properties?.receiveMaximum).toBe(5);
  await client.endAsync();
});
