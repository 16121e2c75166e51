import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAgentError } from '../../src/errors.js';
import { LinkDownError, LinkPublishInvalid, LinkPublishRefused } from '../../src/sync/link/errors.js';
import { InflightWindow } from '../../src/sync/link/inflightWindow.js';
import type { MqttLink } from '../../src/sync/link/mqttLink.js';
import type { PublishPriority, PublishRequest } from '../../src/sync/link/types.js';
import { makeTempDir } from '../helpers/cli.js';
import { startMosquitto, type Mosquitto, type MosquittoOptions } from '../helpers/mosquitto.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import {
  CONNACK_OK,
  countySettings,
  makeLink,
  nextEvent,
  PINGRESP,
  startFakeBroker,
  suback,
  until,
  watch,
  type TestLink,
} from './linkFixtures.js';
import { stringMatching } from '../helpers/matchers.js';

/**
 * The in-flight window: never more QoS 1 publishes outstanding than the broker's Receive
 * Maximum (mqtt.js does not enforce it), served by priority, failed with typed errors when the
 * connection ends or the broker refuses; and one bad publish never takes the link down.
 */
let broker: Mosquitto | undefined;
let proxy: TcpProxy | undefined;
const links: MqttLink[] = [];
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const link of links.splice(0)) await link.stop();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await proxy?.close();
  await broker?.stop();
  proxy = undefined;
  broker = undefined;
});

/** A broker, a counting proxy in front of it, and a connected link through the proxy. */
async function connected(
  brokerOptions: MosquittoOptions = {},
  county: Parameters<typeof countySettings>[1] = {},
): Promise<TestLink> {
  broker = await startMosquitto(brokerOptions);
  proxy = await startTcpProxy({ targetPort: broker.port });
  const made = makeLink(countySettings(proxy.url, county));
  links.push(made.link);
  const up = nextEvent(made.link, 'up');
  made.link.start();
  await up;
  return made;
}

function request(topic: string, payload: string, priority: PublishPriority = 'backfill'): PublishRequest {
  return { topic, payload, qos: 1, priority };
}

describe('InflightWindow', () => {
  it('ignores a slot released after its connection ended: a stale PUBACK never frees a slot of the next one', async () => {
    const window = new InflightWindow();
    window.open(2, 1);
    const stale = await window.acquire('live');
    await window.acquire('live');
    window.close(new LinkDownError('cut'));
    window.open(2, 2);
    await window.acquire('live');
    await window.acquire('live');
    let third = false;
    void window.acquire('live').then(() => (third = true));
    window.release(stale);
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBe(false);
    expect(window.inflight).toBe(2);
  });
});

describe('MqttLink in-flight window', () => {
  it("keeps at most the broker's Receive Maximum (5) outstanding for 200 concurrent publishes, and all resolve", async () => {
    const { link, topics } = await connected({ maxInflight: 5 });
    expect(link.session?.window).toBe(5);
    const priorities: PublishPriority[] = ['control', 'live', 'backfill', 'file'];
    let peak = 0;
    const sent = Array.from({ length: 200 }, (_, index) => {
      const publishing = link.publish(request(topics.events, `event ${index}`, priorities[index % 4]));
      peak = Math.max(peak, link.inflight);
      return publishing;
    });
    await Promise.all(sent);
    expect(proxy!.stats).toEqual({ maxInflight: 5, publishes: 200, connections: 1 });
    expect(peak).toBeLessThanOrEqual(5);
    expect(link.inflight).toBe(0);
  });

  it('takes the smaller of Receive Maximum and county.maxInflight', async () => {
    const { link, topics } = await connected({ maxInflight: 20 }, { maxInflight: 3 });
    expect(link.session?.window).toBe(3);
    await Promise.all(Array.from({ length: 50 }, (_, index) => link.publish(request(topics.events, String(index)))));
    expect(proxy!.stats.maxInflight).toBe(3);
  });

  it('serves waiters by priority when the window is full: control, live, backfill, file; FIFO within one', async () => {
    const { link, topics } = await connected({ maxInflight: 5 });
    const center = await watch(broker!.url, [`${topics.base}/out/#`]);
    const order: Array<[PublishPriority, string]> = [
      ['file', 'f1'],
      ['file', 'f2'],
      ['file', 'f3'],
      ['file', 'f4'],
      ['file', 'f5'],
      ['file', 'f6'],
      ['backfill', 'b1'],
      ['file', 'f7'],
      ['live', 'l1'],
      ['backfill', 'b2'],
      ['control', 'c1'],
      ['live', 'l2'],
    ];
    await Promise.all(order.map(([priority, payload]) => link.publish(request(topics.events, payload, priority))));
    await until(() => center.messages.length === order.length, 'every message at the center');
    expect(center.messages.map((message) => message.payload)).toEqual([
      'f1',
      'f2',
      'f3',
      'f4',
      'f5',
      'c1',
      'l1',
      'l2',
      'b1',
      'b2',
      'f6',
      'f7',
    ]);
    await center.client.endAsync();
  });

  it('fails every outstanding and waiting publish with LinkDownError at a cut, and starts the next connection with an empty window', async () => {
    const { link, topics } = await connected({ maxInflight: 5 });
    proxy!.blackhole();
    const results = Array.from({ length: 8 }, (_, index) =>
      link.publish(request(topics.events, String(index))).then(
        () => 'resolved',
        (error: unknown) => error,
      ),
    );
    await until(() => link.inflight === 5, 'five outstanding');
    proxy!.heal();
    const up = nextEvent(link, 'up');
    proxy!.cut();
    const outcomes = await Promise.all(results);
    expect(outcomes.every((outcome) => outcome instanceof LinkDownError)).toBe(true);
    await up;
    expect(link.inflight).toBe(0);
    await Promise.all(Array.from({ length: 20 }, (_, index) => link.publish(request(topics.events, `again ${index}`))));
    expect(proxy!.stats.maxInflight).toBe(5);
  });

  it('rejects with LinkDownError when the connection is cut between PUBLISH and PUBACK', async () => {
    const { link, topics } = await connected();
    const cut = proxy!.cutBetweenPublishAndPuback();
    const publishing = link.publish(request(topics.events, 'lost ack'));
    const packet = await cut;
    expect(packet).toMatchObject({ type: 'publish', qos: 1, topic: topics.events });
    await expect(publishing).rejects.toBeInstanceOf(LinkDownError);
    await nextEvent(link, 'up');
    await link.publish(request(topics.events, 'next'));
  });

  it('refuses before sending what would break the connection: wildcard topic, a packet over the broker maximum', async () => {
    const { link, topics } = await connected({ extraConfig: ['max_packet_size 4096'] });
    const connectionId = link.session!.connectionId;
    await expect(link.publish(request(`${topics.base}/out/+`, 'x'))).rejects.toBeInstanceOf(LinkPublishInvalid);
    await expect(link.publish(request(topics.events, 'x'.repeat(5000)))).rejects.toThrow(
      /the packet is 50\d\d bytes, the broker accepts at most 4096/,
    );
    await link.publish(request(topics.events, 'x'.repeat(3000)));
    expect(link.session?.connectionId).toBe(connectionId);
  });
});

describe('MqttLink with a broker that says no', () => {
  /** A broker with this ACL file and a connected link for room-a. */
  async function behindAcl(acl: string): Promise<TestLink> {
    const aclDir = makeTempDir('room-agent-acl-');
    cleanups.push(aclDir.cleanup);
    const aclFile = join(aclDir.dir, 'acl');
    writeFileSync(aclFile, acl);
    broker = await startMosquitto({ extraConfig: [`acl_file ${aclFile}`] });
    const made = makeLink(countySettings(broker.url));
    links.push(made.link);
    const up = nextEvent(made.link, 'up');
    made.link.start();
    await up;
    return made;
  }

  it('rejects a publish the ACL refuses with LinkPublishRefused (0x87) and stays connected', async () => {
    const { link, topics } = await behindAcl('pattern readwrite county/rooms/%u/#\n');
    const refused = await link.publish(request('county/rooms/room-b/out/events', 'x')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LinkPublishRefused);
    expect(refused).toMatchObject({ reasonCode: 0x87 });
    expect(isAgentError(refused)).toBe(true);
    await link.publish(request(topics.events, 'own topic'));
    expect(link.state).toBe('connected');
  });

  it('stays up when the broker refuses the subscription (SUBACK 0x87), and says in its health that commands cannot arrive', async () => {
    // Mosquitto's acl_file grants every subscription and filters at delivery; EMQX answers 0x87.
    const fake = await startFakeBroker((packet, socket) => {
      if (packet.type === 'connect') socket.write(CONNACK_OK);
      if (packet.type === 'subscribe') socket.write(suback(packet.packetId!, 0x87));
      if (packet.type === 'pingreq') socket.write(PINGRESP);
    });
    cleanups.push(fake.close);
    const made = makeLink(countySettings(fake.url));
    links.push(made.link);
    const up = nextEvent(made.link, 'up');
    made.link.start();
    const [session] = await up;
    expect(session.window).toBe(20);
    expect(made.link.health()).toMatchObject({
      state: 'degraded',
      detail: stringMatching(
        /^connected to mqtt:\/\/127\.0\.0\.1:\d+, but the broker refused the subscription to county\/rooms\/room-a\/in\/# \(0x87 Not authorized\): commands cannot arrive$/,
      ),
    });
  });

  it('survives a message listener that throws: the other listeners and later messages still get through', async () => {
    const { link, topics } = await behindAcl(
      'pattern readwrite county/rooms/%u/#\nuser center\ntopic readwrite county/#\n',
    );
    const seen: string[] = [];
    link.on('message', () => {
      throw new Error('a consumer bug');
    });
    link.on('message', (message) => seen.push(message.payload.toString()));
    const center = await watch(broker!.url, [], { username: 'center' });
    await center.client.publishAsync(topics.commands, 'one', { qos: 1 });
    await center.client.publishAsync(topics.commands, 'two', { qos: 1 });
    await until(() => seen.length === 2, 'both messages');
    expect(seen).toEqual(['one', 'two']);
    expect(link.state).toBe('connected');
    await center.client.endAsync();
  });
});
