/**
 * Loopback ports for the real servers the tests start (Mosquitto, the test camera, the media
 * server). Imports only node:*, like every helper a benchmark may import.
 */
import { createConnection, createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Resolves once `port` accepts a connection; rejects when the server (`name`) has exited first or time runs out. */
export async function waitForPort(
  port: number,
  deadlineMs: number,
  name: string,
  hasExited: () => boolean,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (hasExited()) throw new Error(`${name} exited before listening on ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`${name} did not listen on ${port} within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
