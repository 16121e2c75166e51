import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy that behaves like a village 4G uplink: every byte waits its turn at the link's
 * bit rate (serialisation delay, a queue per direction) and then a fixed propagation delay.
 * Opaque: it forwards any bytes (MQTT, TLS, RTMP) in order and never drops any. One proxy is one
 * modem: it may listen for several services (`routes`, e.g. the broker and the media server), and
 * every connection's bytes of a direction wait in the same FIFO, so what one sends delays the rest.
 *
 *   const uplink = await startUplinkProxy({ targetPort: broker.port });   // 40 ms, 1 Mbit/s up, 4 down
 *   … point the room at uplink.url …
 *   expect(uplink.bytesUp).toBeLessThan(…);
 *
 *   const modem = await startUplinkProxy({ routes: [{ targetPort: broker.port }, { targetPort: rtmpPort }] });
 *   … MQTT to modem.routes[0].port, RTMP to modem.routes[1].port …
 */
export interface UplinkRoute {
  targetPort: number;
  /** Default 127.0.0.1. */
  targetHost?: string;
}

export interface UplinkProxyOptions {
  /** The one service behind the proxy; or `routes` for several. */
  targetPort?: number;
  /** Default 127.0.0.1. */
  targetHost?: string;
  /** Several services behind one link, each on its own listening port (`routes` of the proxy, in this order). */
  routes?: readonly UplinkRoute[];
  /** One-way propagation delay, ms. Default 40. */
  delayMs?: number;
  /** Client → server rate. Default 1,000,000 bit/s. */
  upBitsPerSecond?: number;
  /** Server → client rate. Default 4,000,000 bit/s. */
  downBitsPerSecond?: number;
  /**
   * Bytes a direction queues before it stops reading from its senders (TCP backpressure then
   * reaches them, as a full modem buffer does). Default 65,536.
   */
  queueBytes?: number;
}

/** One listening port of the proxy and what went through it. */
export interface UplinkListener {
  readonly port: number;
  /** Bytes delivered client → server so far through this port, all its connections. */
  readonly bytesUp: number;
  /** Bytes delivered server → client so far through this port. */
  readonly bytesDown: number;
}

export interface UplinkProxy extends UplinkListener {
  /** The first route's port. */
  readonly port: number;
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  /** Bytes delivered client → server so far, all routes and connections. */
  readonly bytesUp: number;
  /** Bytes delivered server → client so far, all routes. */
  readonly bytesDown: number;
  /** One per route, in the order given (one for `targetPort`). */
  readonly routes: readonly UplinkListener[];
  close(): Promise<void>;
}

/** A radio frame's worth: large writes trickle out instead of arriving all at once. */
const SEGMENT_BYTES = 1400;

interface Segment {
  deliverAt: number;
  sink: Socket;
  /** Undefined: the sender ended (FIN), passed on after its last bytes. */
  data: Buffer | undefined;
  counted: (bytes: number) => void;
}

/**
 * One direction of the link, shared by every connection through the proxy. Segments leave in
 * order: one timer for the queue head (a timer per segment could fire out of order after
 * rounding to whole milliseconds).
 */
class SharedDirection {
  private readonly queue: Segment[] = [];
  private busyUntil = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Senders held back while the queue is full. */
  private readonly paused = new Set<Socket>();

  constructor(
    private readonly bitsPerSecond: number,
    private readonly delayMs: number,
    private readonly queueBytes: number,
  ) {}

  /** Carries what `source` sends to `sink`, counting the delivered bytes with `counted`. */
  attach(source: Socket, sink: Socket, counted: (bytes: number) => void): void {
    source.on('data', (chunk: Buffer) => this.push(source, sink, chunk, counted));
    source.on('end', () => {
      const deliverAt = Math.max(performance.now(), this.busyUntil) + this.delayMs;
      this.queue.push({ deliverAt, sink, data: undefined, counted });
      this.pump();
    });
    source.on('close', () => this.paused.delete(source));
  }

  private push(source: Socket, sink: Socket, chunk: Buffer, counted: (bytes: number) => void): void {
    for (let offset = 0; offset < chunk.length; offset += SEGMENT_BYTES) {
      const data = chunk.subarray(offset, offset + SEGMENT_BYTES);
      const start = Math.max(performance.now(), this.busyUntil);
      this.busyUntil = start + (data.length * 8000) / this.bitsPerSecond;
      this.queue.push({ deliverAt: this.busyUntil + this.delayMs, sink, data, counted });
      this.queuedBytes += data.length;
    }
    if (this.queuedBytes > this.queueBytes) {
      source.pause();
      this.paused.add(source);
    }
    this.pump();
  }

  private pump(): void {
    clearTimeout(this.timer);
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.deliverAt <= now) {
      const { sink, data, counted } = this.queue.shift()!;
      if (data === undefined) {
        if (!sink.destroyed) sink.end();
        continue;
      }
      this.queuedBytes -= data.length;
      if (sink.destroyed) continue;
      counted(data.length);
      sink.write(data);
    }
    if (this.queuedBytes <= this.queueBytes / 2) {
      for (const source of this.paused) source.resume();
      this.paused.clear();
    }
    const head = this.queue[0];
    if (head !== undefined) this.timer = setTimeout(() => this.pump(), Math.max(1, head.deliverAt - now));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
    this.paused.clear();
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the uplink proxy has no port');
  return address.port;
}

export async function startUplinkProxy(options: UplinkProxyOptions): Promise<UplinkProxy> {
  const { delayMs = 40, upBitsPerSecond = 1_000_000, downBitsPerSecond = 4_000_000, queueBytes = 65_536 } = options;
  const routes =
    options.routes ??
    (options.targetPort === undefined ? [] : [{ targetPort: options.targetPort, targetHost: options.targetHost }]);
  if (routes.length === 0) throw new Error('startUplinkProxy needs targetPort or routes');
  const up = new SharedDirection(upBitsPerSecond, delayMs, queueBytes);
  const down = new SharedDirection(downBitsPerSecond, delayMs, queueBytes);
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const listeners: UplinkListener[] = [];

  const closeServers = (): Promise<unknown> =>
    Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  for (const { targetPort, targetHost = '127.0.0.1' } of routes) {
    const counts = { bytesUp: 0, bytesDown: 0 };
    const server = createServer((client) => {
      const upstream = connectTcp({ host: targetHost, port: targetPort });
      up.attach(client, upstream, (bytes) => (counts.bytesUp += bytes));
      down.attach(upstream, client, (bytes) => (counts.bytesDown += bytes));
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.setNoDelay(true);
        // An error on one side resets the other, as a dropped radio bearer would; what the link
        // still holds for them is not delivered.
        socket.on('error', () => {
          client.resetAndDestroy();
          upstream.resetAndDestroy();
        });
        socket.on('close', () => sockets.delete(socket));
      }
    });
    servers.push(server);
    const port = await listen(server).catch(async (error: unknown) => {
      await closeServers();
      throw error;
    });
    listeners.push({
      port,
      get bytesUp() {
        return counts.bytesUp;
      },
      get bytesDown() {
        return counts.bytesDown;
      },
    });
  }
  const first = listeners[0]!;
  return {
    port: first.port,
    url: `mqtt://127.0.0.1:${first.port}`,
    routes: listeners,
    get bytesUp() {
      return listeners.reduce((sum, listener) => sum + listener.bytesUp, 0);
    },
    get bytesDown() {
      return listeners.reduce((sum, listener) => sum + listener.bytesDown, 0);
    },
    async close() {
      up.stop();
      down.stop();
      for (const socket of sockets) socket.destroy();
      await closeServers();
    },
  };
}
