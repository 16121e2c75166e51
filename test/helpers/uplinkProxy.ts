import { createServer, connect as connectTcp, type Socket } from 'node:net';

/**
 * A TCP proxy that behaves like a village 4G uplink: every byte waits its turn at the link's
 * bit rate (serialisation delay, a queue per direction) and then a fixed propagation delay.
 * Opaque: it forwards any bytes (MQTT, TLS) in order and never drops any.
 *
 *   const uplink = await startUplinkProxy({ targetPort: broker.port });   // 40 ms, 1 Mbit/s up, 4 down
 *   … point the room at uplink.url …
 *   expect(uplink.bytesUp).toBeLessThan(…);
 */
export interface UplinkProxyOptions {
  targetPort: number;
  /** Default 127.0.0.1. */
  targetHost?: string;
  /** One-way propagation delay, ms. Default 40. */
  delayMs?: number;
  /** Client → server rate. Default 1,000,000 bit/s. */
  upBitsPerSecond?: number;
  /** Server → client rate. Default 4,000,000 bit/s. */
  downBitsPerSecond?: number;
  /**
   * Bytes a direction queues before it stops reading from its sender (TCP backpressure then
   * reaches the sender, as a full modem buffer does). Default 65,536.
   */
  queueBytes?: number;
}

export interface UplinkProxy {
  readonly port: number;
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  /** Bytes delivered client → server so far, all connections. */
  readonly bytesUp: number;
  /** Bytes delivered server → client so far. */
  readonly bytesDown: number;
  close(): Promise<void>;
}

/** A radio frame's worth: large writes trickle out instead of arriving all at once. */
const SEGMENT_BYTES = 1400;

interface Segment {
  deliverAt: number;
  data: Buffer;
}

/**
 * One direction of one connection. Segments leave in order: one timer for the queue head (a
 * timer per segment could fire out of order after rounding to whole milliseconds).
 */
class ShapedDirection {
  private readonly queue: Segment[] = [];
  private busyUntil = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly source: Socket,
    private readonly sink: Socket,
    private readonly bitsPerSecond: number,
    private readonly delayMs: number,
    private readonly queueBytes: number,
    private readonly delivered: (bytes: number) => void,
  ) {
    source.on('data', (chunk: Buffer) => this.push(chunk));
    source.on('end', () => {
      this.ended = true;
      this.pump();
    });
  }

  private push(chunk: Buffer): void {
    for (let offset = 0; offset < chunk.length; offset += SEGMENT_BYTES) {
      const data = chunk.subarray(offset, offset + SEGMENT_BYTES);
      const start = Math.max(performance.now(), this.busyUntil);
      this.busyUntil = start + (data.length * 8000) / this.bitsPerSecond;
      this.queue.push({ deliverAt: this.busyUntil + this.delayMs, data });
      this.queuedBytes += data.length;
    }
    if (this.queuedBytes > this.queueBytes) this.source.pause();
    this.pump();
  }

  private pump(): void {
    clearTimeout(this.timer);
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.deliverAt <= now) {
      const { data } = this.queue.shift()!;
      this.queuedBytes -= data.length;
      this.delivered(data.length);
      if (!this.sink.destroyed) this.sink.write(data);
    }
    if (this.queuedBytes <= this.queueBytes / 2 && this.source.isPaused()) this.source.resume();
    const head = this.queue[0];
    if (head !== undefined) this.timer = setTimeout(() => this.pump(), Math.max(1, head.deliverAt - now));
    else if (this.ended && !this.sink.destroyed) this.sink.end();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

export async function startUplinkProxy(options: UplinkProxyOptions): Promise<UplinkProxy> {
  const {
    targetPort,
    targetHost = '127.0.0.1',
    delayMs = 40,
    upBitsPerSecond = 1_000_000,
    downBitsPerSecond = 4_000_000,
    queueBytes = 65_536,
  } = options;
  let bytesUp = 0;
  let bytesDown = 0;
  const sockets = new Set<Socket>();
  const directions = new Set<ShapedDirection>();

  const server = createServer((client) => {
    const upstream = connectTcp({ host: targetHost, port: targetPort });
    const up = new ShapedDirection(
      client,
      upstream,
      upBitsPerSecond,
      delayMs,
      queueBytes,
      (bytes) => (bytesUp += bytes),
    );
    const down = new ShapedDirection(
      upstream,
      client,
      downBitsPerSecond,
      delayMs,
      queueBytes,
      (bytes) => (bytesDown += bytes),
    );
    directions.add(up).add(down);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      // An error on one side resets the other, as a dropped radio bearer would.
      socket.on('error', () => {
        up.stop();
        down.stop();
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      });
      socket.on('close', () => {
        sockets.delete(socket);
        if (!sockets.has(client) && !sockets.has(upstream)) {
          directions.delete(up);
          directions.delete(down);
        }
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the uplink proxy has no port');
  return {
    port: address.port,
    url: `mqtt://127.0.0.1:${address.port}`,
    get bytesUp() {
      return bytesUp;
    },
    get bytesDown() {
      return bytesDown;
    },
    async close() {
      for (const direction of directions) direction.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
