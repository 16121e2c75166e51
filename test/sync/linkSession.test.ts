import { afterEach, describe, expect, it } from 'vitest';
import type { MqttLink } from '../../src/sync/link/mqttLink.js';
import type { InboundMessage } from '../../src/sync/link/types.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import {
  CONNACK_OK,
  countySettings,
  makeLink,
  nextEvent,
  publishPacket,
  startFakeBroker,
  suback,
  until,
  watch,
} from './linkFixtures.js';

/**
 * The session facts the county relies on: a persistent MQTT 5 session keeps commands for an
 * offline room (within their message expiry), the retained offline Will marks a room whose link
 * died, and a clean stop says why it went offline instead.
 */
let broker: Mosquitto | undefined;
let proxy: TcpProxy | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await proxy?.close();
  await broker?.stop();
  proxy = undefined;
  broker = undefined;
});

function started(link: MqttLink): MqttLink {
  cleanups.push(() => link.stop());
  link.start();
  return link;
}

describe('MqttLink session', () => {
  it('keeps a persistent MQTT 5 session: a command sent while the room was offline arrives after start, an expired one does not', async () => {
    broker = await startMosquitto();
    const county = countySettings(broker.url);
    const first = makeLink(county);
    const firstUp = nextEvent(first.link, 'up');
    first.link.start();
    const firstSession = await firstUp;
    expect(firstSession[0]).toMatchObject({ sessionPresent: false, window: 20 });
    await first.link.stop();
    expect(first.link.state).toBe('stopped');

    const center = await watch(broker.url, []);
    cleanups.push(() => center.client.endAsync());
    await center.client.publishAsync(first.topics.commands, 'kept', {
      qos: 1,
      properties: { messageExpiryInterval: 60 },
    });
    await center.client.publishAsync(first.topics.commands, 'expired', {
      qos: 1,
      properties: { messageExpiryInterval: 1 },
    });
    await new Promise((resolve) => setTimeout(resolve, 2200));

    const second = makeLink(county);
    const received: InboundMessage[] = [];
    second.link.on('message', (message) => received.push(message));
    const up = nextEvent(second.link, 'up');
    started(second.link);
    expect((await up)[0]).toMatchObject({ sessionPresent: true });
    await until(() => received.length > 0, 'the queued command');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.map((message) => message.payload.toString())).toEqual(['kept']);
    // What is left of the expiry travels with it: the command handler judges staleness by it.
    expect(received[0]!.properties.messageExpiryInterval).toBeGreaterThan(50);
    expect(received[0]!.properties.messageExpiryInterval).toBeLessThan(60);
  });

  it('leaves the retained offline Will when its connection is reset, and reconnects by itself', async () => {
    broker = await startMosquitto();
    proxy = await startTcpProxy({ targetPort: broker.port });
    const { link, topics } = makeLink(countySettings(proxy.url));
    const up = nextEvent(link, 'up');
    started(link);
    await up;
    const center = await watch(broker.url, [topics.state]);
    cleanups.push(() => center.client.endAsync());

    const down = nextEvent(link, 'down');
    proxy.cut();
    expect((await down)[0]).toMatch(/ECONNRESET|closed/);
    await until(() => center.messages.length > 0, 'the Will');
    expect(JSON.parse(center.messages[0]!.payload)).toEqual({ state: 'offline', reason: 'link-lost' });
    await nextEvent(link, 'up');

    // Retained: a center that subscribes later still learns the room went offline.
    const late = await watch(broker.url, [topics.state]);
    cleanups.push(() => late.client.endAsync());
    await until(() => late.messages.length > 0, 'the retained state');
    expect(late.messages[0]).toMatchObject({
      retain: true,
      payload: JSON.stringify({ state: 'offline', reason: 'link-lost' }),
    });
  });

  it('stops cleanly: the final messages are delivered, the Will is not sent, and it says down', async () => {
    broker = await startMosquitto();
    const { link, topics } = makeLink(countySettings(broker.url));
    expect(link.health()).toMatchObject({ state: 'starting', attempts: 0 });
    const up = nextEvent(link, 'up');
    link.start();
    await up;
    expect(link.health()).toMatchObject({
      state: 'ok',
      detail: `connected to ${broker.url}`,
      attempts: 0,
      sessionPresent: false,
      window: 20,
    });
    expect(Date.now() - Date.parse(link.health().connectedSince!)).toBeLessThan(10_000);
    const center = await watch(broker.url, [topics.state]);
    cleanups.push(() => center.client.endAsync());
    const downs: string[] = [];
    link.on('down', (reason) => downs.push(reason));

    const offline = JSON.stringify({ state: 'offline', reason: 'shutdown' });
    await link.stop([{ topic: topics.state, payload: offline, qos: 1, retain: true, priority: 'control' }]);

    expect(link.state).toBe('stopped');
    expect(link.health()).toMatchObject({ state: 'stopped', connectedSince: undefined, window: undefined });
    expect(downs).toEqual(['the link was stopped']);
    await until(() => center.messages.length > 0, 'the final state');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(center.messages.map((message) => message.payload)).toEqual([offline]);
    await expect(link.publish({ topic: topics.health, payload: '{}', qos: 1, priority: 'control' })).rejects.toThrow(
      /stopped/,
    );
  });

  it('stop() resolves at once when the broker cannot be reached', async () => {
    broker = await startMosquitto();
    await broker.pause();
    const { link, topics } = makeLink(countySettings(broker.url));
    link.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = performance.now();
    await link.stop([{ topic: topics.state, payload: 'offline', qos: 1, retain: true, priority: 'control' }]);
    expect(performance.now() - before).toBeLessThan(1000);
    expect(link.health()).toMatchObject({ state: 'stopped' });
  });

  it('holds a message that arrives before SUBACK until after up, and delivers it even when that connection then fails', async () => {
    const { topics } = makeLink(countySettings('mqtt://127.0.0.1:1'));
    let connects = 0;
    const fake = await startFakeBroker((packet, socket) => {
      if (packet.type === 'connect') {
        connects += 1;
        // A persistent session delivers queued commands right after CONNACK, before any SUBACK.
        socket.write(Buffer.concat([CONNACK_OK, publishPacket(topics.commands, 1, `early ${connects}`)]));
      }
      if (packet.type !== 'subscribe') return;
      // First connection: dies before SUBACK. Second: SUBACK after a while.
      if (connects === 1) socket.destroy();
      else setTimeout(() => socket.write(suback(packet.packetId!, 0x01)), 200);
    });
    cleanups.push(fake.close);
    const { link } = makeLink(countySettings(fake.url));
    const events: string[] = [];
    link.on('up', () => events.push('up'));
    link.on('message', (message) => events.push(`${message.topic} ${message.payload.toString()}`));
    const up = nextEvent(link, 'up');
    started(link);
    await up;
    await until(() => events.length === 3, 'the second early message');
    expect(events).toEqual([`${topics.commands} early 1`, 'up', `${topics.commands} early 2`]);
  });
  it('closes its socket on stop even when the broker never answers the last publishes (a half-open link)', async () => {
    let socketClosed = false;
    let publishes = 0;
    const fake = await startFakeBroker((packet, socket) => {
      socket.once('close', () => (socketClosed = true));
      if (packet.type === 'connect') socket.write(CONNACK_OK);
      if (packet.type === 'subscribe') socket.write(suback(packet.packetId!, 0x01));
      // No PUBACK, no PINGRESP: what a dead 4G link looks like before the keepalive notices.
      if (packet.type === 'publish') publishes += 1;
    });
    cleanups.push(fake.close);
    const { link, topics } = makeLink(countySettings(fake.url, { keepaliveSeconds: 60 }), { stopTimeoutMs: 200 });
    const up = nextEvent(link, 'up');
    link.start();
    await up;
    void link
      .publish({ topic: topics.events, payload: 'in flight', qos: 1, priority: 'backfill' })
      .catch(() => undefined);
    await until(() => publishes === 1, 'the publish at the broker');
    await link.stop([{ topic: topics.state, payload: 'offline', qos: 1, retain: true, priority: 'control' }]);
    expect(link.state).toBe('stopped');
    // A socket left open would keep the daemon's process alive after it stopped.
    await until(() => socketClosed, 'the socket closed', 3000);
  });
});
