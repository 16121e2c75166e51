import { chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { Logger } from '../log.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import { ControlConnection } from './connection.js';
import type { ControlRegistry } from './registry.js';
import { claimSocketPath } from './socketFile.js';

/** Readable and writable by the daemon's user and group (technicians join the group). */
const SOCKET_MODE = 0o660;
/** Stop waits this long for requests in hand before cutting clients off; the daemon has 5 s. */
const DRAIN_TIMEOUT_MS = 2_500;

/**
 * What one local client may hold. The CLI opens one connection per command, sends its request at
 * once and closes; these only stop a stuck or hostile client from holding descriptors and memory,
 * and idle connections must never keep a technician's CLI out.
 */
export interface ControlLimits {
  /** An idle connection (no request in hand, nothing sent or received) is closed after this. */
  idleTimeoutMs: number;
  /**
   * Open connections at most. A client beyond it takes the place of the connection idle the
   * longest; only when every connection has a request in hand is it closed at once.
   */
  maxConnections: number;
}

export const DEFAULT_CONTROL_LIMITS: ControlLimits = { idleTimeoutMs: 30_000, maxConnections: 32 };

/** The local control socket the CLI talks to. Stopping it is how the daemon stops taking work. */
export class ControlServer implements Service {
  readonly name = 'control';
  private server: Server | undefined;
  private readonly connections = new Set<ControlConnection>();
  /** Set while connections are being refused, so a client retrying in a loop is logged once. */
  private refusing = false;

  constructor(
    private readonly socketPath: string,
    private readonly registry: ControlRegistry,
    private readonly logger: Logger,
    private readonly limits: ControlLimits = DEFAULT_CONTROL_LIMITS,
  ) {}

  async start(): Promise<void> {
    await claimSocketPath(this.socketPath);
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      if (this.connections.size >= this.limits.maxConnections && !this.evictIdle()) {
        this.refuse();
        socket.destroy();
        return;
      }
      this.refusing = false;
      const connection = new ControlConnection(socket, this.registry, this.logger, this.limits.idleTimeoutMs);
      this.connections.add(connection);
      socket.on('close', () => this.connections.delete(connection));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.logger.error({ err: error }, 'control socket error'));
    this.server = server;
    chmodSync(this.socketPath, SOCKET_MODE);
    this.logger.info({ path: this.socketPath }, 'control socket listening');
  }

  /** Closes the connection idle the longest to make room; false when every one has work in hand. */
  private evictIdle(): boolean {
    let stalest: ControlConnection | undefined;
    for (const connection of this.connections) {
      if (connection.idle && (stalest === undefined || connection.lastActive < stalest.lastActive))
        stalest = connection;
    }
    if (stalest === undefined) return false;
    this.logger.warn(
      { maxConnections: this.limits.maxConnections },
      'control connections at the limit: closing the one idle the longest for a new client',
    );
    stalest.destroy();
    // The close event removes it later; the new client must count from now.
    this.connections.delete(stalest);
    return true;
  }

  /** A client retrying in a loop is logged once. */
  private refuse(): void {
    if (!this.refusing)
      this.logger.warn(
        { maxConnections: this.limits.maxConnections },
        'control connections refused: every open connection has a request in hand',
      );
    this.refusing = true;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    // close() stops accepting at once and unlinks the socket file once the last client is gone.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const drained = Promise.all([...this.connections].map((connection) => connection.drain()));
    const timedOut = await Promise.race([drained.then(() => false), delay(DRAIN_TIMEOUT_MS).then(() => true)]);
    if (timedOut) {
      this.logger.warn(
        { clients: this.connections.size },
        'control requests still running at shutdown; closing their connections',
      );
      for (const connection of this.connections) connection.destroy();
    }
    await closed;
  }

  health(): ServiceHealth {
    return this.server?.listening === true ? { state: 'ok' } : { state: 'stopped' };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
