import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { AgentError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { AccessCheck, checkExposure, type HttpAddress } from './access.js';
import { loadAssets, type Asset } from './assets.js';
import { readBoard, safeJson, type BoardSource } from './board.js';
import { watchRooms, type CenterEmitter } from './changes.js';
import { DEFAULT_LIMITS, LiveFeed, type LiveFeedLimits, type LiveFeedStats } from './liveFeed.js';
import { liveFileUrl, relayLive, type LivePlaylists } from './liveVideo.js';
import { webText } from './messages.js';

export interface CenterWebOptions {
  address: HttpAddress;
  /** Required to listen outside loopback (--http-public), together with a token. */
  publicBind: boolean;
  /** Sent as `Authorization: Bearer …` or the board cookie; required for everything but the page's code. */
  token?: string | undefined;
  source: BoardSource;
  /** Calls back with a room's id whenever something about the room changed; returns the unsubscribe. */
  watch(onChange: (deviceId: string) => void): () => void;
  limits?: Partial<LiveFeedLimits> | undefined;
  /** Where the rooms' cameras are live on the county's media server; without it the board shows no video. */
  livePlaylists?: LivePlaylists | undefined;
  logger: Logger;
}

/**
 * Same-origin everything, no inline script or style, never framed, no referrer: the page is
 * meant to hang on a wall for months, and what it shows are people's names. Video plays from a
 * blob: URL, the Media Source the live player fills with what it fetched from this origin.
 */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
} as const;

/** The page and everything under /api/ show data: everything else the server has is the page's own code. */
function isProtected(path: string): boolean {
  return path === '/' || path.startsWith('/api/');
}

const PHOTO_PATH = /^\/api\/rooms\/([^/]+)\/photos\/([^/]+)$/;
const LIVE_PATH = /^\/api\/rooms\/([^/]+)\/cameras\/([^/]+)\/([^/]+)$/;
/** Photos are served only as what their name says they are; anything else is not shown. */
const PHOTO_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
};

/**
 * The county board over HTTP: the page, a JSON snapshot and the live stream. Read-only: only
 * GET and HEAD are answered, and nothing a request says changes the center.
 */
export class CenterWebServer {
  private readonly feed: LiveFeed;
  private unwatch: () => void = () => {};
  private access!: AccessCheck;

  private constructor(
    private readonly options: CenterWebOptions,
    private readonly assets: Map<string, Asset>,
    private readonly server: Server,
  ) {
    this.feed = new LiveFeed(options.source, { ...DEFAULT_LIMITS, ...options.limits }, options.logger);
  }

  /** Checks the exposure, loads the page and listens; port 0 picks a free port (see `url`). */
  static async start(options: CenterWebOptions): Promise<CenterWebServer> {
    checkExposure(options.address, options.publicBind, options.token);
    const assets = loadAssets();
    const web = new CenterWebServer(options, assets, createServer());
    await web.listen();
    web.unwatch = options.watch((deviceId) => web.feed.changed(deviceId));
    return web;
  }

  /** The board of a running CountyCenter (the CLI's --http, or a demo that runs the center in-process). */
  static forCenter(
    center: BoardSource & CenterEmitter,
    options: Omit<CenterWebOptions, 'source' | 'watch'>,
  ): Promise<CenterWebServer> {
    return CenterWebServer.start({ ...options, source: center, watch: (onChange) => watchRooms(center, onChange) });
  }

  /** `http://HOST:PORT/` with the port actually bound. */
  get url(): string {
    const { host } = this.options.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}/`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  stats(): LiveFeedStats {
    return this.feed.stats();
  }

  async stop(): Promise<void> {
    this.unwatch();
    this.feed.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const { address } = this.options;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error) =>
        reject(
          new AgentError(
            ErrorCode.CenterHttpListen,
            webText('listenFailed', { address: `${address.host}:${address.port}`, reason: error.message }),
            { host: address.host, port: address.port },
            { cause: error },
          ),
        ),
      );
      this.server.listen(address.port, address.host, () => resolve());
    });
    this.access = new AccessCheck(this.options.token, { ...address, boundPort: this.port });
    this.server.on('request', (request, response) => this.handle(request, response));
    // A screen's stream lives for days: the default request timeouts would cut it.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 10_000;
  }

  /** Never throws: a database that cannot be read (locked, full disk) costs this request a 500, not the center. */
  private handle(request: IncomingMessage, response: ServerResponse): void {
    try {
      this.route(request, response);
    } catch (error) {
      this.options.logger.warn({ err: error, path: request.url?.slice(0, 200) }, 'a county board request failed');
      if (!response.headersSent) this.plain(response, 500, 'internal error');
      else response.destroy();
    }
  }

  private route(request: IncomingMessage, response: ServerResponse): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return this.plain(response, 405, 'method not allowed');
    }
    if (!this.access.hostAllowed(request)) return this.plain(response, 403, 'forbidden host');
    const path = new URL(request.url ?? '/', 'http://board').pathname;
    if (isProtected(path) && !this.access.authorized(request)) {
      // The login page asks for the token and keeps it in a cookie; its script is public, the data is not.
      if (path === '/') return this.asset(response, 401, this.assets.get('/login')!);
      response.setHeader('WWW-Authenticate', 'Bearer');
      return this.plain(response, 401, 'token required');
    }
    if (path === '/api/live') {
      if (request.method === 'HEAD') return this.plain(response, 200, '');
      if (!this.feed.attach(response)) {
        response.setHeader('Retry-After', '30');
        this.plain(response, 503, 'too many screens');
      }
      return;
    }
    if (path === '/api/board') {
      response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      response.end(safeJson(readBoard(this.options.source, Date.now())));
      return;
    }
    const photo = PHOTO_PATH.exec(path);
    if (photo !== null) return this.photo(response, decodeURIComponent(photo[1]!), decodeURIComponent(photo[2]!));
    const live = LIVE_PATH.exec(path);
    if (live !== null) return this.live(response, decodeURIComponent(live[1]!), decodeURIComponent(live[2]!), live[3]!);
    if (path === '/favicon.ico') return this.plain(response, 204, '');
    const asset = this.assets.get(path);
    if (asset === undefined) return this.plain(response, 404, 'not found');
    this.asset(response, 200, asset);
  }

  /** One of the room's photos, from the path the center's file receiver stored it at. */
  private photo(response: ServerResponse, deviceId: string, fileId: string): void {
    const photo = this.options.source.photo(deviceId, fileId);
    const type = photo === null ? undefined : PHOTO_TYPES[extname(photo.name).toLowerCase()];
    if (photo === null || type === undefined) return this.plain(response, 404, 'no photo');
    const file = createReadStream(photo.path);
    file.once('open', () => {
      // A file id names one file for good: a newer photo is a new address, so this one may be kept.
      response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'private, max-age=86400' });
      file.pipe(response);
    });
    file.once('error', () => {
      if (!response.headersSent) this.plain(response, 404, 'no photo');
      else response.destroy();
    });
  }

  /** A file of a room camera's live stream, relayed from the media server. */
  private live(response: ServerResponse, deviceId: string, camera: string, file: string): void {
    const playlists = this.options.livePlaylists;
    const source = playlists === undefined ? undefined : liveFileUrl(playlists(deviceId, camera), file);
    if (source === undefined) return this.plain(response, 404, 'no live picture');
    void relayLive(response, source, this.options.logger);
  }

  private asset(response: ServerResponse, status: number, asset: Asset): void {
    response.writeHead(status, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache' });
    response.end(asset.body);
  }

  private plain(response: ServerResponse, status: number, text: string): void {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    response.end(text);
  }
}
