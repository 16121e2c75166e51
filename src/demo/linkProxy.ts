import { connect, createServer, type Socket } from 'node:net';

/**
 * The room's uplink in the demo: a TCP relay on loopback between the agent and the broker, which
 * the story cuts (every connection reset, new ones refused, as when the 4G link drops) and
 * restores. Only the room goes through it: the center keeps its own connection to the broker.
 */
export interface LinkProxy {
  readonly port: number;
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  readonly isCut: boolean;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startLinkProxy(targetPort: number): Promise<LinkProxy> {
  const sockets = new Set<Socket>();
  let isCut = false;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset peer is the point of a cut, not a fault.
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (isCut) {
      client.resetAndDestroy();
      return;
    }
    const broker = connect({ host: '127.0.0.1', port: targetPort });
    track(broker);
    client.pipe(broker);
    broker.pipe(client);
    client.once('close', () => broker.destroy());
    broker.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the link proxy has no port');
  return {
    port: address.port,
    url: `mqtt://127.0.0.1:${address.port}`,
    get isCut() {
      return isCut;
    },
    cut() {
      isCut = true;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      isCut = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
