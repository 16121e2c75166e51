import { createServer, connect as connectTcp, type Socket } from 'node:net';
import { MqttPacketSplitter, NotMqttError, type MqttPacket } from './mqttPackets.js';

/**
 * A fault-injecting TCP proxy between an MQTT client and a broker on loopback, for tests of what
 * a flaky 4G link does to the county link. It forwards whole MQTT packets (split with
 * mqttPackets.ts) so it can count QoS 1 publishes against their PUBACKs and drop one PUBACK on
 * purpose. Plain MQTT over TCP only: anything else (TLS) is forwarded unparsed and not counted.
 *
 *   const proxy = await startTcpProxy({ targetPort: broker.port });
 *   link = new MqttLink({ county: { ...county, url: proxy.url }, … });
 *   proxy.blackhole();   // the link goes half-open: no FIN, no RST, nothing arrives
 *   proxy.heal();        // new connections work again
 */
export interface TcpProxyOptions {
  targetPort: number;
  /** Default 127.0.0.1. */
  targetHost?: string;
  /** Chooses the fault of randomFault(); tests pass test/helpers/seededRandom.ts. */
  random?: () => number;
}

export interface TcpProxyStats {
  /** Most QoS 1 PUBLISH client→broker without a PUBACK broker→client yet, on any one connection. */
  maxInflight: number;
  /** PUBLISH packets client→broker (any QoS, retransmissions included). */
  publishes: number;
  /** Connections accepted (refused ones included). */
  connections: number;
}

export type ProxyFault = 'cut' | 'blackhole' | 'puback';

export interface TcpProxy {
  readonly port: number;
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  readonly stats: TcpProxyStats;
  /** Resets every connection, both sides (RST), blackholed ones too: a link that drops hard. */
  cut(): void;
  /**
   * Silently stops forwarding both ways on every connection, new ones included, and keeps the
   * sockets open: a half-open drop. Each side notices only by its own timeouts.
   */
  blackhole(): void;
  /** New connections forward again; blackholed ones stay dead. */
  heal(): void;
  /** While on, a new connection is reset as soon as it is accepted (a broker that is not there). */
  refuse(on: boolean): void;
  /**
   * Arms a fault: the next QoS 1 PUBLISH client→broker is forwarded, the broker's PUBACK for it
   * is dropped, and the connection is then cut. Resolves with that publish once the cut happened.
   */
  cutBetweenPublishAndPuback(): Promise<MqttPacket>;
  /** One of cut, blackhole+heal (the blackholed connection stays dead), puback, chosen by `random`. */
  randomFault(): ProxyFault;
  close(): Promise<void>;
}

interface Pipe {
  readonly client: Socket;
  readonly broker: Socket;
  /** Blackholed: nothing is forwarded any more, sockets stay open. */
  dead: boolean;
  /** Not MQTT (e.g. TLS): forwarded as is. */
  opaque: boolean;
  /** QoS 1 packet ids sent by the client and not yet acknowledged by the broker. */
  readonly outstanding: Set<number>;
  /** The PUBACK to drop before cutting (cutBetweenPublishAndPuback). */
  dropPuback?: { packet: MqttPacket; done: (packet: MqttPacket) => void };
}

export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const random = options.random ?? Math.random;
  const stats: TcpProxyStats = { maxInflight: 0, publishes: 0, connections: 0 };
  const pipes = new Set<Pipe>();
  /** Every socket ever opened, so close() can end half-closed ones too (server.close waits for them). */
  const sockets = new Set<Socket>();
  let blackholing = false;
  let refusing = false;
  let armed: ((packet: MqttPacket) => void) | undefined;

  const reset = (pipe: Pipe): void => {
    pipe.client.resetAndDestroy();
    pipe.broker.resetAndDestroy();
    pipes.delete(pipe);
  };

  /** Forwards `chunk` packet by packet, looking at each on the way. */
  const relay = (
    pipe: Pipe,
    chunk: Buffer,
    splitter: MqttPacketSplitter,
    to: Socket,
    look: (packet: MqttPacket) => boolean,
  ): void => {
    if (pipe.dead || to.destroyed) return;
    if (pipe.opaque) {
      to.write(chunk);
      return;
    }
    let packets: MqttPacket[];
    try {
      packets = splitter.push(chunk);
    } catch (error) {
      if (!(error instanceof NotMqttError)) throw error;
      pipe.opaque = true;
      to.write(chunk);
      return;
    }
    for (const packet of packets) {
      if (pipe.dead || to.destroyed || !look(packet)) return;
      to.write(packet.raw);
    }
  };

  const fromClient =
    (pipe: Pipe) =>
    (packet: MqttPacket): boolean => {
      if (packet.type !== 'publish') return true;
      stats.publishes += 1;
      if (packet.qos === 1 && packet.packetId !== undefined) {
        pipe.outstanding.add(packet.packetId);
        stats.maxInflight = Math.max(stats.maxInflight, pipe.outstanding.size);
        if (armed !== undefined && pipe.dropPuback === undefined) {
          pipe.dropPuback = { packet, done: armed };
          armed = undefined;
        }
      }
      return true;
    };

  const fromBroker =
    (pipe: Pipe) =>
    (packet: MqttPacket): boolean => {
      if (packet.type !== 'puback' || packet.packetId === undefined) return true;
      pipe.outstanding.delete(packet.packetId);
      const drop = pipe.dropPuback;
      if (drop === undefined || drop.packet.packetId !== packet.packetId) return true;
      reset(pipe);
      drop.done(drop.packet);
      return false;
    };

  const server = createServer((client) => {
    stats.connections += 1;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const broker = connectTcp({ host: targetHost, port: options.targetPort });
    sockets.add(broker);
    broker.on('close', () => sockets.delete(broker));
    const pipe: Pipe = { client, broker, dead: blackholing, opaque: false, outstanding: new Set() };
    pipes.add(pipe);
    client.setNoDelay(true);
    broker.setNoDelay(true);
    const up = new MqttPacketSplitter();
    const down = new MqttPacketSplitter();
    client.on('data', (chunk: Buffer) => relay(pipe, chunk, up, broker, fromClient(pipe)));
    broker.on('data', (chunk: Buffer) => relay(pipe, chunk, down, client, fromBroker(pipe)));
    // A blackholed connection is half-open: one side closing must not tell the other.
    const pass = (to: Socket, hard: boolean) => () => {
      if (pipe.dead) return;
      pipes.delete(pipe);
      if (hard) to.resetAndDestroy();
      else to.end();
    };
    client.on('end', pass(broker, false));
    broker.on('end', pass(client, false));
    client.on('error', pass(broker, true));
    broker.on('error', pass(client, true));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the proxy has no port');

  const proxy: TcpProxy = {
    port: address.port,
    url: `mqtt://127.0.0.1:${address.port}`,
    stats,
    cut() {
      for (const pipe of [...pipes]) reset(pipe);
    },
    blackhole() {
      blackholing = true;
      for (const pipe of pipes) pipe.dead = true;
    },
    heal() {
      blackholing = false;
    },
    refuse(on) {
      refusing = on;
    },
    cutBetweenPublishAndPuback() {
      return new Promise((resolve) => (armed = resolve));
    },
    randomFault() {
      const fault: ProxyFault = (['cut', 'blackhole', 'puback'] as const)[Math.floor(random() * 3)]!;
      if (fault === 'cut') proxy.cut();
      else if (fault === 'blackhole') {
        proxy.blackhole();
        proxy.heal();
      } else void proxy.cutBetweenPublishAndPuback();
      return fault;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      pipes.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
