import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/mosquitto.js';
import { MqttPacketSplitter, NotMqttError } from '../helpers/mqttPackets.js';
import { startUplinkProxy, type UplinkProxy } from '../helpers/uplinkProxy.js';
import { countySettings, makeLink, nextEvent, publishPacket } from './linkFixtures.js';

/** The test helpers the sync tests lean on must themselves be right: a packet splitter that
 * miscounts or a "4G" proxy that does not shape would make those tests pass for nothing. */

describe('MqttPacketSplitter', () => {
  it('splits a stream cut at arbitrary points into packets with type, QoS, topic and packet id', () => {
    const stream = Buffer.concat([
      publishPacket('county/rooms/a/out/events', 0x0102, 'x'.repeat(300)),
      Buffer.from([0x40, 0x03, 0x01, 0x02, 0x00]), // PUBACK 0x0102, reason 0
      Buffer.from([0xc0, 0x00]), // PINGREQ
      publishPacket('t', 7, 'small'),
    ]);
    for (const step of [1, 2, 7, 64, stream.length]) {
      const splitter = new MqttPacketSplitter();
      const packets = [];
      for (let offset = 0; offset < stream.length; offset += step)
        packets.push(...splitter.push(stream.subarray(offset, offset + step)));
      expect(packets.map(({ raw, ...facts }) => ({ ...facts, bytes: raw.length }))).toEqual([
        { type: 'publish', qos: 1, topic: 'county/rooms/a/out/events', packetId: 0x0102, bytes: 333 },
        { type: 'puback', packetId: 0x0102, bytes: 5 },
        { type: 'pingreq', bytes: 2 },
        { type: 'publish', qos: 1, topic: 't', packetId: 7, bytes: 13 },
      ]);
      expect(Buffer.concat(packets.map((packet) => packet.raw))).toEqual(stream);
      expect(splitter.buffered).toBe(0);
    }
  });

  it('says when the bytes cannot be MQTT (a remaining length over four bytes)', () => {
    expect(() => new MqttPacketSplitter().push(Buffer.from([0x16, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(
      NotMqttError,
    );
  });
});

describe('startUplinkProxy', () => {
  let uplink: UplinkProxy | undefined;
  const sinks: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await uplink?.close();
    await Promise.all(sinks.splice(0).map((sink) => new Promise((resolve) => sink.close(resolve))));
  });

  /** A server that answers "ping" with "pong" and counts every other byte it receives. */
  async function server(onBytes: (bytes: number) => void): Promise<number> {
    const sink = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk: Buffer) => {
        if (chunk.toString() === 'ping') socket.write('pong');
        else onBytes(chunk.length);
      });
    });
    sinks.push(sink);
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', () => resolve()));
    return (sink.address() as { port: number }).port;
  }

  it('shapes like a village uplink: 250 kB up take about 2 s at 1 Mbit/s, a round trip at least 2 × 40 ms', async () => {
    let received = 0;
    let doneAt = 0;
    const targetPort = await server((bytes) => {
      received += bytes;
      if (received === 250_000) doneAt = performance.now();
    });
    uplink = await startUplinkProxy({
      targetPort,
      delayMs: 40,
      upBitsPerSecond: 1_000_000,
      downBitsPerSecond: 4_000_000,
    });
    const client = connect({ host: '127.0.0.1', port: uplink.port });
    sockets.push(client);
    await new Promise((resolve) => client.once('connect', resolve));

    const pingAt = performance.now();
    client.write('ping');
    await new Promise((resolve) => client.once('data', resolve));
    expect(performance.now() - pingAt).toBeGreaterThanOrEqual(80);

    const startedAt = performance.now();
    client.write(Buffer.alloc(250_000, 1));
    const deadline = Date.now() + 15_000;
    while (doneAt === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toBe(250_000);
    const seconds = (doneAt - startedAt) / 1000;
    // 2,000,000 bits at 1 Mbit/s plus 40 ms: the bound is for correctness, not a benchmark.
    expect(seconds).toBeGreaterThanOrEqual(1.95);
    expect(seconds).toBeLessThan(4);
    expect(uplink.bytesUp).toBe(250_004);
    expect(uplink.bytesDown).toBe(4);
  });

  it('is one modem for several services: two connections through two routes share the 1 Mbit/s, 250 kB in all take about 2 s', async () => {
    const received = [0, 0];
    const doneAt = [0, 0];
    const ports = await Promise.all(
      [0, 1].map((route) =>
        server((bytes) => {
          received[route]! += bytes;
          if (received[route] === 125_000) doneAt[route] = performance.now();
        }),
      ),
    );
    uplink = await startUplinkProxy({
      routes: ports.map((targetPort) => ({ targetPort })),
      delayMs: 40,
      upBitsPerSecond: 1_000_000,
    });
    const clients = await Promise.all(
      uplink.routes.map(async ({ port }) => {
        const client = connect({ host: '127.0.0.1', port });
        sockets.push(client);
        await new Promise((resolve) => client.once('connect', resolve));
        return client;
      }),
    );
    const startedAt = performance.now();
    for (const client of clients) client.write(Buffer.alloc(125_000, 1));
    const deadline = Date.now() + 15_000;
    while (doneAt.includes(0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toEqual([125_000, 125_000]);
    // Each alone would take 1 s on its own link; sharing one, the last of them ends after 2 s.
    const lastSeconds = (Math.max(...doneAt) - startedAt) / 1000;
    expect(lastSeconds).toBeGreaterThanOrEqual(1.95);
    expect(lastSeconds).toBeLessThan(4);
    expect(uplink.routes.map((route) => route.bytesUp)).toEqual([125_000, 125_000]);
    expect(uplink.bytesUp).toBe(250_000);
  });

  it('carries MQTT: a link connects through it and its publishes are acknowledged', async () => {
    const broker = await startMosquitto();
    try {
      uplink = await startUplinkProxy({ targetPort: broker.port });
      const { link, topics } = makeLink(countySettings(uplink.url));
      const up = nextEvent(link, 'up');
      link.start();
      await up;
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          link.publish({ topic: topics.events, payload: String(index), qos: 1, priority: 'live' }),
        ),
      );
      await link.stop();
      expect(uplink.bytesUp).toBeGreaterThan(20 * topics.events.length);
    } finally {
      await broker.stop();
    }
  });
});
