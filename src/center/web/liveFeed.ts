import type { ServerResponse } from 'node:http';
import type { Logger } from '../../log.js';
import { todayRange } from '../liveView.js';
import { readBoard, safeJson, type BoardSource, type BoardUpdate } from './board.js';

export interface LiveFeedLimits {
  /** Screens connected at once; one more is answered 503. */
  maxClients: number;
  /** Changes are gathered and pushed at most this often: a busy room costs one push per interval, not one per batch. */
  pushIntervalMs: number;
  /** A comment line this often keeps proxies and the browser from closing an idle stream. */
  heartbeatMs: number;
  /** A screen that lets this much pile up unread is cut off; its browser reconnects and gets the whole board. */
  maxBufferedBytes: number;
}

export const DEFAULT_LIMITS: LiveFeedLimits = {
  maxClients: 32,
  pushIntervalMs: 1000,
  heartbeatMs: 15_000,
  maxBufferedBytes: 4 * 1024 * 1024,
};

export interface LiveFeedStats {
  clients: number;
  /** Update events written (one per push per client). */
  pushes: number;
  bytes: number;
  /** Screens cut off for reading too slowly. */
  dropped: number;
}

/**
 * The board's server-sent events: each screen gets the whole board when it connects, then the
 * tiles of the rooms that changed, gathered per interval and built once for every screen.
 */
export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private readonly dirty = new Set<string>();
  private readonly timers: NodeJS.Timeout[];
  private readonly totals = { pushes: 0, bytes: 0, dropped: 0 };
  private lastBroker: boolean;
  private lastDayMs: number;

  constructor(
    private readonly source: BoardSource,
    private readonly limits: LiveFeedLimits,
    private readonly logger: Logger,
  ) {
    this.lastBroker = source.brokerConnected;
    this.lastDayMs = todayRange(Date.now()).fromMs;
    this.timers = [
      setInterval(() => this.push(), limits.pushIntervalMs),
      setInterval(() => this.broadcast(': heartbeat\n\n'), limits.heartbeatMs),
    ];
    for (const timer of this.timers) timer.unref();
  }

  /** The room's tile is pushed with the next interval. */
  changed(deviceId: string): void {
    this.dirty.add(deviceId);
  }

  get full(): boolean {
    return this.clients.size >= this.limits.maxClients;
  }

  /** Takes over the response as an event stream; false when the feed is full. */
  attach(response: ServerResponse): boolean {
    if (this.full) return false;
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
    // A lost stream is retried by the browser after `retry`; it then gets the whole board again.
    this.write(response, `retry: 3000\n${this.event('board', readBoard(this.source, Date.now()))}`);
    return true;
  }

  stats(): LiveFeedStats {
    return { clients: this.clients.size, ...this.totals };
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private push(): void {
    const now = Date.now();
    const dayMs = todayRange(now).fromMs;
    const broker = this.source.brokerConnected;
    // At midnight every count starts again: every tile changes.
    const newDay = dayMs !== this.lastDayMs;
    const brokerChanged = broker !== this.lastBroker;
    this.lastDayMs = dayMs;
    this.lastBroker = broker;
    if (this.clients.size === 0) {
      // Nobody watches: the next screen starts from the whole board anyway.
      this.dirty.clear();
      return;
    }
    if (!newDay && !brokerChanged && this.dirty.size === 0) return;
    let update: BoardUpdate;
    try {
      update = newDay ? readBoard(this.source, now) : readBoard(this.source, now, this.dirty);
    } catch (error) {
      // A locked or failing database costs this push; the rooms stay marked for the next.
      this.logger.warn({ err: error }, 'the county board could not read the center database');
      return;
    }
    this.dirty.clear();
    this.broadcast(this.event(update.full ? 'board' : 'rooms', update));
  }

  private event(name: string, update: BoardUpdate): string {
    return `event: ${name}\ndata: ${safeJson(update)}\n\n`;
  }

  private broadcast(text: string): void {
    for (const client of this.clients) this.write(client, text);
  }

  private write(client: ServerResponse, text: string): void {
    // A screen that stopped reading would hold every later update in memory: it goes instead.
    if (client.writableLength > this.limits.maxBufferedBytes) {
      this.totals.dropped++;
      this.clients.delete(client);
      client.destroy();
      this.logger.warn('a county board screen read too slowly and was cut off');
      return;
    }
    client.write(text);
    if (!text.startsWith(':')) this.totals.pushes++;
    this.totals.bytes += Buffer.byteLength(text);
  }
}
