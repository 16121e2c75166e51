import { writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomSummary } from '../../../src/center/room.js';
import type { PhotoRecord, SignInRecord } from '../../../src/center/roomDay.js';
import type { BoardSource, BoardUpdate } from '../../../src/center/web/board.js';
import { livePlaylists } from '../../../src/center/web/liveVideo.js';
import { CenterWebServer, type CenterWebOptions } from '../../../src/center/web/server.js';
import { ErrorCode } from '../../../src/errors.js';
import { createSilentLogger } from '../../../src/log.js';
import { makeTempDir } from '../../helpers/cli.js';

const XSS = '<img src=x onerror=alert(1)>';
const TOKEN = 'a-county-screen-token-42';

function summary(deviceId: string): RoomSummary {
  return {
    deviceId,
    state: 'online',
    reason: null,
    version: '0.1.0',
    firstSeenMs: 0,
    lastSeenMs: Date.now(),
    baseSeq: 1,
    contiguousSeq: 12,
    contiguousHash: null,
    headSeq: 12,
    backlog: 0,
    maxStoredSeq: 12,
    broken: null,
    pending: null,
    duplicates: 0,
    badMessages: 0,
    lastAckSeq: 12,
    scannerDriver: 'emulator',
    cameras: [],
    verification: null,
    journalQuarantined: null,
    gaps: [],
    damaged: null,
    storage: null,
  };
}

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A board source over fixed rooms; `rooms` may grow while a test runs. Each room's one photo is `photos[id]`. */
function fakeSource(
  deviceIds: string[],
  nameSize = 0,
  photos: Record<string, PhotoRecord> = {},
): BoardSource & { ids: string[] } {
  const signIn = (seq: number): SignInRecord => ({
    seq,
    memberId: '10001',
    name: `${XSS}${'x'.repeat(nameSize)}`,
    wallMs: Date.now(),
    time: 'synced',
    method: 'fingerprint',
    emulated: false,
  });
  return {
    ids: deviceIds,
    brokerConnected: true,
    rooms() {
      return this.ids.map(summary);
    },
    room(deviceId) {
      return this.ids.includes(deviceId) ? summary(deviceId) : undefined;
    },
    signInsBetween: () => new Map(deviceIds.map((id) => [id, { real: 3, emulated: 1 }])),
    fileCounts: () => new Map(),
    recentSignIns: (_deviceId, _from, _to, limit) => Array.from({ length: limit }, (_, index) => signIn(index + 1)),
    currentActivity: () => ({ activityId: 'a', type: 'meeting', title: XSS, startedMs: Date.now() }),
    recentPhotos: (deviceId) => (photos[deviceId] === undefined ? [] : [photos[deviceId]]),
    photo: (deviceId, fileId) => (photos[deviceId]?.fileId === fileId ? photos[deviceId] : null),
  };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly the headers given (fetch would add its own Host handling). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; host?: string } = {},
): Promise<Reply> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: { ...(options.host !== undefined && { host: options.host }), ...options.headers },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** An SSE client that counts the events of each name it receives; reading can be paused. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const counts = new Map<string, number>();
  let buffered = '';
  const target = new URL(url);
  const outgoing = request({ host: target.hostname, port: target.port, path: target.pathname, headers });
  const response = new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    outgoing.on('response', resolve);
    outgoing.on('error', reject);
  });
  outgoing.end();
  void response.then((incoming) =>
    incoming.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (const match of buffered.matchAll(/^event: (\w+)$/gm))
        counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
      buffered = buffered.slice(buffered.lastIndexOf('\n\n') + 2);
    }),
  );
  return { counts, response, close: () => outgoing.destroy() };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the county board over HTTP', () => {
  const servers: CenterWebServer[] = [];
  let changed: (deviceId: string) => void = () => {};
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop();
  });

  async function serve(options: Partial<CenterWebOptions> = {}): Promise<CenterWebServer> {
    const server = await CenterWebServer.start({
      address: { host: '127.0.0.1', port: 0 },
      publicBind: false,
      source: fakeSource(['dongcun', 'xiaozhuang']),
      watch: (onChange) => {
        changed = onChange;
        return () => {};
      },
      logger: createSilentLogger(),
      ...options,
    });
    servers.push(server);
    return server;
  }

  it('serves the page and its code from itself, with headers that keep it self-contained', async () => {
    const { url } = await serve();
    const page = await send(url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // Only same-origin, root-relative references: no CDN, no inline script.
    const references = [...page.body.matchAll(/(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference).toMatch(/^\/[a-z]/);
    expect(page.body).not.toMatch(/<script>|<style>|style="/);
    for (const asset of ['/board.js', '/chart.js', '/strings.js', '/login.js', '/board.css']) {
      const reply = await send(new URL(asset, url).href);
      expect(reply.status).toBe(200);
      expect(reply.body).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      expect(reply.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
    expect((await send(new URL('/../package.json', url).href)).status).toBe(404);
    expect((await send(new URL('/src/center/web/assets/board.js', url).href)).status).toBe(404);
  });

  it('changes nothing: every method but GET and HEAD is 405', async () => {
    const { url } = await serve();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const path of ['', 'api/board', 'api/live']) {
        const reply = await send(`${url}${path}`, { method });
        expect(reply.status).toBe(405);
        expect(reply.headers.allow).toBe('GET, HEAD');
      }
    }
    expect((await send(url, { method: 'HEAD' })).status).toBe(200);
  });

  it('escapes markup in the JSON it sends: a name can never become HTML', async () => {
    const { url } = await serve();
    const reply = await send(`${url}api/board`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.body).not.toMatch(/[<>]/);
    const board = JSON.parse(reply.body) as BoardUpdate;
    expect(board.rooms.map((room) => room.deviceId)).toEqual(['dongcun', 'xiaozhuang']);
    expect(board.rooms[0]!.recent[0]!.name).toBe(XSS);
    expect(board.rooms[0]!.activity!.title).toBe(XSS);
    expect(board.rooms[0]!.recent).toHaveLength(8);
  });

  it('serves a room’s photos by file id from where the center stored them, only as images, and only with the token', async () => {
    const temp = makeTempDir('board-photo-');
    try {
      writeFileSync(join(temp.dir, 'f1'), PNG);
      writeFileSync(join(temp.dir, 'f2'), '<script>alert(1)</script>');
      const photos = {
        dongcun: { fileId: 'f1', name: 'meeting.PNG', path: join(temp.dir, 'f1'), completedMs: 1 },
        xiaozhuang: { fileId: 'f2', name: 'notes.html', path: join(temp.dir, 'f2'), completedMs: 1 },
      };
      const { url } = await serve({ source: fakeSource(['dongcun', 'xiaozhuang'], 0, photos), token: TOKEN });
      const auth = { authorization: `Bearer ${TOKEN}` };
      const board = JSON.parse((await send(`${url}api/board`, { headers: auth })).body) as BoardUpdate;
      expect(board.rooms[0]!.photos).toEqual([{ fileId: 'f1', completedMs: 1 }]);
      expect(JSON.stringify(board)).not.toContain(temp.dir);
      const image = await send(`${url}api/rooms/dongcun/photos/f1`, { headers: auth });
      expect(image.status).toBe(200);
      expect(image.headers['content-type']).toBe('image/png');
      expect((await send(`${url}api/rooms/dongcun/photos/f1`)).status).toBe(401);
      expect((await send(`${url}api/rooms/xiaozhuang/photos/f2`, { headers: auth })).status).toBe(404);
      // A file id of another room is not this room's photo.
      expect((await send(`${url}api/rooms/dongcun/photos/f2`, { headers: auth })).status).toBe(404);
      expect((await send(`${url}api/rooms/nowhere/photos/f1`, { headers: auth })).status).toBe(404);
    } finally {
      temp.cleanup();
    }
  });

  it('relays a live camera’s playlist and fragments from the media server, only with the token, only by their names', async () => {
    const asked: string[] = [];
    const media = createServer((incoming, outgoing) => {
      asked.push(incoming.url ?? '');
      if (incoming.url === '/hls/dongcun-main/index.m3u8') outgoing.end('#EXTM3U\n#EXTINF:1.0,\n0.ts\n');
      else if (incoming.url === '/hls/dongcun-main/0.ts') outgoing.end(Buffer.alloc(376, 0x47));
      else outgoing.writeHead(404).end();
    });
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    try {
      const mediaPort = (media.address() as AddressInfo).port;
      const playlists = livePlaylists(`http://127.0.0.1:${mediaPort}/hls/{room}-{camera}/index.m3u8`);
      const { url } = await serve({ token: TOKEN, livePlaylists: playlists });
      const auth = { authorization: `Bearer ${TOKEN}` };
      const live = `${url}api/rooms/dongcun/cameras/main/`;
      const playlist = await send(`${live}live.m3u8`, { headers: auth });
      expect(playlist.status).toBe(200);
      expect(playlist.headers['content-type']).toBe('application/vnd.apple.mpegurl');
      expect(playlist.headers['cache-control']).toBe('no-store');
      expect(playlist.body).toContain('0.ts');
      const fragment = await send(`${live}0.ts`, { headers: auth });
      expect(fragment.status).toBe(200);
      expect(fragment.headers['content-type']).toBe('video/mp2t');
      expect((await send(`${live}live.m3u8`)).status).toBe(401);
      expect((await send(`${url}api/rooms/xiaozhuang/cameras/main/live.m3u8`, { headers: auth })).status).toBe(404);
      // Nothing but the playlist and fragment names reaches the media server.
      asked.length = 0;
      for (const name of ['..%2F..%2Fetc%2Fpasswd', 'index.html', '.ts', 'a%2Fb.ts'])
        expect((await send(`${live}${name}`, { headers: auth })).status, name).toBe(404);
      expect(asked).toEqual([]);
      // A room's names are encoded into the template: they cannot leave its path.
      expect(playlists('a/../b', 'c?d').href).toBe(`http://127.0.0.1:${mediaPort}/hls/a%2F..%2Fb-c%3Fd/index.m3u8`);
      await new Promise<void>((resolve) => media.close(() => resolve()));
      media.closeAllConnections();
      expect((await send(`${live}live.m3u8`, { headers: auth })).status).toBe(502);
    } finally {
      media.close();
    }
  });

  it('shows no live picture without a media server, and refuses a template that is not an http URL naming the room', async () => {
    const { url } = await serve();
    expect((await send(`${url}api/rooms/dongcun/cameras/main/live.m3u8`)).status).toBe(404);
    for (const template of ['rtmp://127.0.0.1/live/{room}', 'http://127.0.0.1/hls/index.m3u8', 'not a url'])
      expect(() => livePlaylists(template), template).toThrow(expect.objectContaining({ code: ErrorCode.UsageError }));
    // The player's code comes from the center itself; the page may play what it builds from it.
    const player = await send(`${url}hls.js`);
    expect(player.status).toBe(200);
    expect(player.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(player.body).toContain('export');
    expect(String(player.headers['content-security-policy'])).toContain("media-src 'self' blob:");
  });

  it('refuses a loopback request whose Host is another site (DNS rebinding)', async () => {
    const { url, port } = await serve();
    expect((await send(url, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await send(`${url}api/live`, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await send(url, { host: `localhost:${port}` })).status).toBe(200);
  });

  it('with a token: the page, the snapshot and the stream need it, by header or cookie, never from the URL', async () => {
    const { url } = await serve({ token: TOKEN });
    const unauthorized = await send(url);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body).toContain('/login.js');
    expect(unauthorized.body).not.toContain('/board.js');
    for (const path of ['api/board', 'api/live']) {
      expect((await send(`${url}${path}`)).status).toBe(401);
      expect((await send(`${url}${path}?token=${TOKEN}`)).status).toBe(401);
      expect((await send(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
      expect((await send(`${url}${path}`, { headers: { cookie: `room_agent_board=${TOKEN.slice(1)}` } })).status).toBe(
        401,
      );
    }
    expect((await send(`${url}api/board`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await send(url, { headers: { cookie: `theme=dark; room_agent_board=${TOKEN}` } })).status).toBe(200);
    const stream = openStream(`${url}api/live`, { cookie: `room_agent_board=${encodeURIComponent(TOKEN)}` });
    expect((await stream.response).statusCode).toBe(200);
    stream.close();
    // The page's code holds no data: a login page needs it before the token is known.
    expect((await send(`${url}login.js`)).status).toBe(200);
  });

  it('will not face the network without --http-public and a token of some length', async () => {
    const outside =
      Object.values(networkInterfaces())
        .flat()
        .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address ??
      '0.0.0.0';
    const start = (options: Partial<CenterWebOptions>) =>
      serve({ address: { host: outside, port: 0 }, ...options }).then(
        () => undefined,
        (error: { code: number }) => error.code,
      );
    expect(await start({ token: TOKEN })).toBe(ErrorCode.CenterHttpUnsafe);
    expect(await start({ publicBind: true })).toBe(ErrorCode.CenterHttpUnsafe);
    expect(await start({ publicBind: true, token: 'short' })).toBe(ErrorCode.CenterHttpUnsafe);
    expect(await start({ publicBind: true, token: TOKEN })).toBeUndefined();
    // Asked at the address it listens on (the wildcard one answers on loopback too).
    const { url } = servers.at(-1)!;
    const asked = url.replace('0.0.0.0', '127.0.0.1');
    expect((await send(asked)).status).toBe(401);
    expect((await send(`${asked}api/live`)).status).toBe(401);
    expect((await send(`${asked}api/board`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('sends the whole board on connect, then one push per interval however often a room changes', async () => {
    const server = await serve({ limits: { pushIntervalMs: 300 } });
    const stream = openStream(`${server.url}api/live`);
    await until(() => stream.counts.get('board') === 1, 'the first board');
    for (let i = 0; i < 500; i++) changed(i % 2 === 0 ? 'dongcun' : 'xiaozhuang');
    await until(() => stream.counts.get('rooms') === 1, 'a rooms push');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(stream.counts.get('rooms')).toBe(1);
    stream.close();
  });

  it('bounds its screens: one too many is told to come back, one that stops reading is cut off', async () => {
    const source = fakeSource(
      Array.from({ length: 40 }, (_, index) => `room-${index}`),
      2000,
    );
    const server = await serve({
      source,
      limits: { maxClients: 2, pushIntervalMs: 50, maxBufferedBytes: 256 * 1024 },
    });
    const reading = openStream(`${server.url}api/live`);
    const stalled = openStream(`${server.url}api/live`);
    expect((await reading.response).statusCode).toBe(200);
    (await stalled.response).pause();
    const third = await send(`${server.url}api/live`);
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('30');
    // Every push carries every room (about 700 kB): the stalled screen's socket fills within a few.
    const timer = setInterval(() => source.ids.forEach((id) => changed(id)), 10);
    try {
      await until(() => server.stats().dropped === 1, 'the stalled screen cut off', 30_000);
    } finally {
      clearInterval(timer);
    }
    expect(server.stats().clients).toBe(1);
    expect((await send(`${server.url}api/board`)).status).toBe(200);
    reading.close();
    stalled.close();
  });
});
