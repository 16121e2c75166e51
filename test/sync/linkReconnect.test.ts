import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ReconnectPolicy } from '../../src/sync/link/reconnectPolicy.js';
import type { MqttLink } from '../../src/sync/link/mqttLink.js';
import { freePort, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import { countySettings, makeLink, nextEvent, until, watch } from './linkFixtures.js';

/**
 * Reconnecting on a flaky uplink: capped, jittered backoff (500 rooms must not come back in
 * the same second), no hammering of a broker that accepts and drops, and the link's own
 * liveness checks for half-open connections and connects that hang.
 */
const links: MqttLink[] = [];
let broker: Mosquitto | undefined;
let proxy: TcpProxy | undefined;
let server: Server | undefined;
const accepted = new Set<Socket>();

afterEach(async () => {
  for (const socket of accepted) socket.destroy();
  accepted.clear();
  for (const link of links.splice(0)) await link.stop();
  await proxy?.close();
  await broker?.stop();
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  proxy = undefined;
  broker = undefined;
  server = undefined;
});

function track<T extends { link: MqttLink }>(made: T): T {
  links.push(made.link);
  return made;
}

/** A TCP server on loopback that hands each accepted socket to `onConnection`. */
async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  server = createServer((socket) => {
    accepted.add(socket);
    // Read what the client sends, so its FIN is seen ('end') when it gives up.
    socket.resume();
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as { port: number }).port;
}

describe('ReconnectPolicy', () => {
  const settings = { minMs: 1000, maxMs: 120_000, stableMs: 30_000 };

  it('draws each delay from [min, min(max, min·2^n)]: growing, capped, never below the minimum', () => {
    const policy = new ReconnectPolicy(settings, seededRandom(1));
    const delays = Array.from({ length: 14 }, () => policy.nextDelay());
    delays.forEach((delay, index) => {
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(Math.min(120_000, 1000 * 2 ** (index + 1)));
    });
    expect(Math.max(...delays.slice(0, 3))).toBeLessThanOrEqual(8000);
    expect(Math.max(...delays.slice(8))).toBeGreaterThan(30_000);
    expect(policy.attempts).toBe(14);
  });

  it('starts again from the minimum only after a connection that stayed up', () => {
    // random() = 0 draws the ceiling itself.
    const policy = new ReconnectPolicy(settings, () => 0);
    for (let index = 0; index < 6; index += 1) policy.nextDelay();
    policy.connectionEnded(5_000);
    policy.connectionEnded(undefined);
    expect(policy.attempts).toBe(6);
    expect(policy.nextDelay()).toBeGreaterThan(64_000);
    policy.connectionEnded(30_000);
    expect(policy.attempts).toBe(0);
    expect(policy.nextDelay()).toBeLessThanOrEqual(2000);
  });

  it('spreads 500 rooms: after a 5-minute outage no second sees more than 4 % of them come back', () => {
    const outageMs = 300_000;
    const returns = Array.from({ length: 500 }, (_, room) => {
      const policy = new ReconnectPolicy(settings, seededRandom(room + 1));
      let at = 0;
      while (at < outageMs) at += policy.nextDelay();
      return at;
    });
    const perSecond = new Map<number, number>();
    for (const at of returns) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(20);
    expect(Math.max(...returns) - Math.min(...returns)).toBeGreaterThan(60_000);
  });
});

describe('MqttLink reconnects', () => {
  it('never throws on an unreachable broker: it reports ECONNREFUSED with the next attempt, and never the password', async () => {
    const port = await freePort();
    const { link, logs } = track(
      makeLink(countySettings(`mqtt://someone:inline-secret@127.0.0.1:${port}`, { password: 'county-secret-pw' })),
    );
    link.start();
    await until(() => link.health().attempts >= 3, 'three failed attempts');
    const health = link.health();
    expect(health.state).toBe('degraded');
    expect(health.detail).toMatch(
      new RegExp(
        `^connecting to mqtt://127\\.0\\.0\\.1:${port} \\(attempt \\d+(, next in \\d+\\.\\d s)?\\)(: |; last error: ).*ECONNREFUSED`,
      ),
    );
    expect(health.lastConnectError).toMatch(/ECONNREFUSED/);
    expect(link.state).not.toBe('connected');
    const everything = JSON.stringify(health) + logs();
    expect(everything).not.toContain('county-secret-pw');
    expect(everything).not.toContain('inline-secret');
  });

  it('backs off from a broker that accepts and drops at once, attempt by attempt as the seeded policy says', async () => {
    const attempts: number[] = [];
    const port = await listen((socket) => {
      attempts.push(performance.now());
      socket.destroy();
    });
    const county = countySettings(`mqtt://127.0.0.1:${port}`, { reconnectMinMs: 100, reconnectMaxMs: 800 });
    const { link, logs } = track(makeLink(county, { random: seededRandom(42) }));
    link.start();
    await until(() => attempts.length >= 9, 'nine attempts', 15_000);
    await link.stop();

    // The delays the link chose, as it logged them, are the seeded policy's, in order.
    const expected = new ReconnectPolicy({ minMs: 100, maxMs: 800, stableMs: 30_000 }, seededRandom(42));
    const gaps = attempts.slice(1).map((at, index) => at - attempts[index]!);
    const chosen = logs()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { nextInMs?: number }).nextInMs)
      .filter((delay) => delay !== undefined);
    const delays = gaps.map(() => expected.nextDelay());
    expect(chosen.slice(0, gaps.length)).toEqual(delays);
    gaps.forEach((gap, index) => {
      // Never sooner than the delay: load only makes a timer late.
      expect(gap).toBeGreaterThanOrEqual(delays[index]! - 5);
      // Nor a whole further second later: a link that also waited mqtt.js's own reconnect period (1 s)
      // would be; a busy machine's late timer and loopback connect stay well below it.
      expect(gap).toBeLessThan(delays[index]! + 1000);
    });
  });

  it('notices a half-open link (no FIN, no RST) within 2.5 × keepalive, leaves the Will, and reconnects after heal()', async () => {
    broker = await startMosquitto();
    proxy = await startTcpProxy({ targetPort: broker.port });
    const { link, topics } = track(
      makeLink(countySettings(proxy.url, { keepaliveSeconds: 2, reconnectMinMs: 200, reconnectMaxMs: 400 }), {
        connectTimeoutMs: 2000,
      }),
    );
    const up = nextEvent(link, 'up');
    link.start();
    await up;
    const center = await watch(broker.url, [topics.state]);

    const down = nextEvent(link, 'down', 10_000);
    const cutAt = performance.now();
    proxy.blackhole();
    await down;
    // Its own check (nothing received for 2 × keepalive) runs every so often; the bound allows a
    // busy machine's late timers a second, far below the minutes TCP would take to give up.
    expect(performance.now() - cutAt).toBeLessThanOrEqual(2.5 * 2000 + 1000);
    // The broker notices by its own keepalive (1.5 × 2 s) and publishes the Will.
    await until(() => center.messages.length > 0, 'the Will', 8000);
    expect(center.messages[0]!.payload).toContain('link-lost');

    proxy.heal();
    await nextEvent(link, 'up', 10_000);
    expect(link.state).toBe('connected');
    await center.client.endAsync();
  });

  it("drops a connection on which nothing was received for 2 × keepalive, even when mqtt.js's own keepalive does not fire", async () => {
    broker = await startMosquitto();
    let skewMs = 0;
    const { link } = track(
      makeLink(countySettings(broker.url, { keepaliveSeconds: 30 }), { now: () => performance.now() + skewMs }),
    );
    const up = nextEvent(link, 'up');
    link.start();
    const [session] = await up;
    // Monotonic time jumps past 2 × keepalive with nothing received: the link's watchdog, not mqtt.js, must act.
    const down = nextEvent(link, 'down', 3000);
    skewMs = 61_000;
    expect((await down)[0]).toMatch(/^nothing received for 6\d s \(keepalive 30 s\): the link is half-open$/);
    const [again] = await nextEvent(link, 'up');
    expect(again.connectionId).toBeGreaterThan(session.connectionId);
  });

  it('abandons a connect that hangs (TCP open, no CONNACK) and closes it before the next attempt', async () => {
    const sockets: Socket[] = [];
    const port = await listen((socket) => sockets.push(socket));
    const { link } = track(
      makeLink(countySettings(`mqtt://127.0.0.1:${port}`, { reconnectMinMs: 100, reconnectMaxMs: 200 }), {
        connectTimeoutMs: 600,
      }),
    );
    link.start();
    await until(() => sockets.length >= 3, 'three attempts', 8000);
    expect(link.health().lastConnectError).toMatch(/no answer within 0\.6 s of connecting/);
    await until(
      () => sockets.slice(0, -1).every((socket) => socket.readableEnded || socket.destroyed),
      'the abandoned sockets to close',
    );
  });
});
