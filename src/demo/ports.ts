/**
 * Loopback ports for the real servers the demo and the tests start (Mosquitto, the camera
 * emulator, the media server). Imports only node:*, so a benchmark's build compiles nothing else.
 */
import { createConnection, createServer } from 'node:net';

/** Asks the kernel for a port nobody listens on (it can be taken again before use: callers retry). */
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

/** Whether something accepts a connection on the loopback port now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
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
    if (await accepts(port)) return;
    if (Date.now() > until) throw new Error(`${name} did not listen on ${port} within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
