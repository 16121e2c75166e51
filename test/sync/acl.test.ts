import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mqtt from 'mqtt';
import { LinkPublishRefused } from '../../src/sync/link/errors.js';
import type { MqttLink } from '../../src/sync/link/mqttLink.js';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { makeTempDir, REPO_ROOT } from '../helpers/cli.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { countySettings, makeLink, nextEvent, until, watch, type Received } from './linkFixtures.js';

/**
 * config/mosquitto.acl.example, used as shipped, on a real Mosquitto with a password file:
 * each room publishes only under its own out/ and reads only its own in/; the center reads
 * every out/ and writes every in/.
 */
const temp = makeTempDir('room-agent-acl-');
const A = roomTopics('county', 'room-a');
const B = roomTopics('county', 'room-b');
let broker: Mosquitto;
let center: { client: mqtt.MqttClient; messages: Received[] };
let roomA: MqttLink;
const clients: mqtt.MqttClient[] = [];

beforeAll(async () => {
  const passwords = join(temp.dir, 'passwd');
  execFileSync('mosquitto_passwd', ['-c', '-b', passwords, 'room-a', 'secret-a']);
  execFileSync('mosquitto_passwd', ['-b', passwords, 'room-b', 'secret-b']);
  execFileSync('mosquitto_passwd', ['-b', passwords, 'county-center', 'secret-center']);
  broker = await startMosquitto({
    extraConfig: [
      'allow_anonymous false',
      `password_file ${passwords}`,
      `acl_file ${join(REPO_ROOT, 'config/mosquitto.acl.example')}`,
    ],
  });
  center = await watch(broker.url, ['county/rooms/+/out/#'], { username: 'county-center', password: 'secret-center' });
  clients.push(center.client);
  // Room A is the real link: its user name defaults to its device id, as in the field.
  roomA = makeLink(countySettings(broker.url, { password: 'secret-a' })).link;
  const up = nextEvent(roomA, 'up');
  roomA.start();
  await up;
});

afterAll(async () => {
  await roomA?.stop();
  for (const client of clients) await client.endAsync();
  await broker?.stop();
  temp.cleanup();
});

async function room(name: string, password: string, filters: string[]) {
  const watched = await watch(broker.url, filters, { username: name, password, clientId: `${name}-observer` });
  clients.push(watched.client);
  return watched;
}

describe('config/mosquitto.acl.example', () => {
  it("lets a room publish under its own out/ (the center sees it) and refuses another room's out/ (0x87, never seen)", async () => {
    await roomA.publish({ topic: A.events, payload: 'own', qos: 1, priority: 'live' });
    await until(
      () => center.messages.some((message) => message.topic === A.events),
      "room A's own event at the center",
    );
    const forged = await roomA
      .publish({ topic: B.events, payload: 'forged', qos: 1, priority: 'live' })
      .catch((error: unknown) => error);
    expect(forged).toBeInstanceOf(LinkPublishRefused);
    expect(forged).toMatchObject({ reasonCode: 0x87 });
    // A room may not write its own in/ either: acknowledgements and commands come from the center only.
    await expect(
      roomA.publish({ topic: A.ack, payload: 'self-ack', qos: 1, priority: 'control' }),
    ).rejects.toBeInstanceOf(LinkPublishRefused);
    await roomA.publish({ topic: A.health, payload: 'marker', qos: 1, priority: 'control' });
    await until(() => center.messages.some((message) => message.payload === 'marker'), 'the marker');
    expect(center.messages.map((message) => message.payload)).not.toContain('forged');
    expect(roomA.state).toBe('connected');
  });

  it("delivers the center's commands to the room they are for, and never to a room that subscribed to another's in/", async () => {
    const nosy = await room('room-a', 'secret-a', [B.inbound]);
    const roomB = await room('room-b', 'secret-b', [B.inbound]);
    const received: string[] = [];
    roomA.on('message', (message) => received.push(`${message.topic} ${message.payload.toString()}`));
    await center.client.publishAsync(B.commands, 'for-b', { qos: 1 });
    await center.client.publishAsync(A.commands, 'for-a', { qos: 1 });
    await until(() => roomB.messages.length === 1 && received.length === 1, 'both commands delivered');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(roomB.messages.map((message) => message.payload)).toEqual(['for-b']);
    expect(received).toEqual([`${A.commands} for-a`]);
    expect(nosy.messages).toEqual([]);
  });

  it('refuses a wrong password with a clear reason in the link health', async () => {
    const wrong = makeLink(countySettings(broker.url, { password: 'not-the-password' }), { deviceId: 'room-b' }).link;
    wrong.start();
    try {
      await until(() => wrong.health().lastConnectError !== undefined, 'a refused connect');
      // Mosquitto answers a wrong password with CONNACK 0x87 (not 0x86 "Bad User Name or Password").
      expect(wrong.health().lastConnectError).toBe(
        'Connection refused: Not authorized: check county.username and county.password (or the client certificate) and the broker ACL',
      );
      expect(JSON.stringify(wrong.health())).not.toContain('not-the-password');
    } finally {
      await wrong.stop();
    }
  });
});
