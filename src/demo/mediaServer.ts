/**
 * The county's media server on loopback, for the demo and the camera tests: Debian's nginx with
 * libnginx-mod-rtmp, run unprivileged from a scratch prefix, receiving the rooms' RTMP pushes at
 * rtmp://127.0.0.1:PORT/live/NAME. With `hls`, it also cuts every stream into HLS and serves it
 * over HTTP on loopback (what a county board plays in a browser). It can be paused (SIGSTOP:
 * connections stay open and nothing answers, as a stalled server does), killed and started again
 * on the same port. watch() pulls a stream back and counts its frames.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { spawnRig, type RigProcess, type RigSpawnOptions } from './rigProcess.js';

export const NGINX = '/usr/sbin/nginx';
export const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
/** The error log is kept for diagnosis, but only its tail. */
const LOG_TAIL_CHARS = 64 * 1024;
/** How long the watcher's ffmpeg waits on a silent server before it exits (and is started again). */
const WATCH_RW_TIMEOUT_US = 5_000_000;
const WATCH_RETRY_MS = 500;
/**
 * One-second fragments, six seconds listed: a player starts within a few seconds of a push and
 * stays that close to live. A camera's key frame every second lets nginx cut there.
 */
const HLS_FRAGMENT_S = 1;
const HLS_PLAYLIST_S = 6;

export interface MediaServerOptions {
  /** Where the config, logs and fragments go. Default: a new temporary directory, removed by stop(). */
  dir?: string;
  /** Also HLS over HTTP on loopback, at hlsUrl(name). */
  hls?: boolean;
  /** The demo's: a pid file while nginx runs. */
  pidFile?: RigSpawnOptions['pidFile'];
}

export interface StreamWatcher {
  /** Frames received so far, summed over every pull (a pull ends when the server or the push goes away). */
  frames(): number;
  /** Resolves with frames() once it has risen by `count`; rejects after `timeoutMs`. */
  waitForFrames(count: number, timeoutMs: number): Promise<number>;
  /** The tail of the current pull's stderr, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

export interface MediaServer {
  readonly port: number;
  readonly dir: string;
  /** rtmp://127.0.0.1:PORT/live/NAME */
  streamUrl(name: string): string;
  /** http://127.0.0.1:HTTP_PORT/hls/NAME/index.m3u8; undefined without `hls`. */
  hlsUrl(name: string): string | undefined;
  /** The nginx process, while it runs. */
  pid(): number | null;
  /** The tail of nginx's error log. */
  log(): string;
  /** SIGSTOP: connections stay open, nothing is read or sent. */
  pause(): void;
  resume(): void;
  /** SIGKILL: every connection drops, the port refuses new ones. */
  kill(): Promise<void>;
  /** Starts nginx again on the same port, after kill(). */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Pulls `name` back, again and again until stopped, counting its frames. */
  watch(name: string): StreamWatcher;
  /** Ends nginx and every watcher, and removes a scratch directory: the end of a test or of the demo. */
  stop(): Promise<void>;
}

function config(dir: string, port: number, httpPort: number | undefined): string {
  const hls = join(dir, 'hls');
  return [
    `load_module ${RTMP_MODULE};`,
    'daemon off;',
    // One process: a signal (SIGSTOP, SIGKILL) reaches the whole server, and the parent-death
    // signal ends it with its parent; the rtmp module then needs no relaying between workers.
    'master_process off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} info;`,
    'events {}',
    'rtmp {',
    '  server {',
    `    listen 127.0.0.1:${port};`,
    '    application live {',
    '      live on;',
    ...(httpPort === undefined
      ? []
      : [
          '      hls on;',
          `      hls_path ${hls};`,
          // NAME/index.m3u8 beside NAME/N.ts: a stream's files share one folder, one URL prefix.
          '      hls_nested on;',
          `      hls_fragment ${HLS_FRAGMENT_S}s;`,
          `      hls_playlist_length ${HLS_PLAYLIST_S}s;`,
        ]),
    '    }',
    '  }',
    '}',
    ...(httpPort === undefined
      ? []
      : [
          'http {',
          '  access_log off;',
          // The compiled-in temporary path is under /var/lib/nginx, which only root may write.
          `  client_body_temp_path ${join(dir, 'body')};`,
          '  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }',
          '  server {',
          `    listen 127.0.0.1:${httpPort};`,
          '    location /hls/ {',
          `      alias ${hls}/;`,
          // The playlist changes every fragment: a cached one would stall a player.
          '      add_header Cache-Control no-cache;',
          '    }',
          '  }',
          '}',
        ]),
    '',
  ].join('\n');
}

export async function startMediaServer(options: MediaServerOptions = {}): Promise<MediaServer> {
  const scratch = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'media-server-'));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const httpPort = options.hls === true ? await freePort() : undefined;
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, config(dir, port, httpPort));
  // -e: nginx opens its compiled-in error log before it reads the config unless told otherwise.
  const args = ['-p', dir, '-c', configFile, '-e', join(dir, 'error.log')];
  let server: RigProcess | undefined;
  const watchers = new Set<StreamWatcher>();

  const start = async (): Promise<void> => {
    const started = spawnRig(NGINX, args, { pidFile: options.pidFile });
    server = started;
    try {
      await waitForPort(port, 10_000, 'nginx', () => !started.running());
      if (httpPort !== undefined) await waitForPort(httpPort, 10_000, 'nginx', () => !started.running());
    } catch (error) {
      await started.end('SIGKILL');
      throw new Error(`${(error as Error).message}\n${started.output()}\n${readLog(dir)}`, { cause: error });
    }
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => server?.end(signal);

  await start();
  const streamUrl = (name: string): string => `rtmp://127.0.0.1:${port}/live/${name}`;
  return {
    port,
    dir,
    streamUrl,
    hlsUrl: (name) => (httpPort === undefined ? undefined : `http://127.0.0.1:${httpPort}/hls/${name}/index.m3u8`),
    pid: () => (server?.running() ? server.pid : null),
    log: () => readLog(dir),
    pause: () => server?.signal('SIGSTOP'),
    resume: () => server?.signal('SIGCONT'),
    kill: () => end('SIGKILL'),
    start,
    async restart() {
      // SIGTERM is nginx's fast shutdown: connections close at once, as in a server restart.
      await end('SIGTERM');
      await start();
    },
    watch(name) {
      const watcher = watchStream(streamUrl(name));
      watchers.add(watcher);
      return watcher;
    },
    async stop() {
      await Promise.all([...watchers].map((watcher) => watcher.stop()));
      await end('SIGTERM');
      if (scratch) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8').slice(-LOG_TAIL_CHARS);
  } catch {
    return '';
  }
}

/**
 * `ffmpeg -c copy -f null` of the stream's video with `-progress pipe:1`: its `frame=` lines say how
 * many frames arrived. nginx keeps a player of a stream nobody publishes waiting, so the pull may
 * start before the push; a pull that ends (server gone, stalled past the read timeout) is started
 * again, and the frames of the pulls add up.
 */
export function watchStream(url: string): StreamWatcher {
  let finished = 0;
  let current = 0;
  let stopped = false;
  let pull: RigProcess | undefined;
  let retry: NodeJS.Timeout | undefined;
  const waiters = new Set<() => void>();
  const total = (): number => finished + current;

  const launch = (): void => {
    current = 0;
    const started = spawnRig(
      'ffmpeg',
      [
        ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'],
        ...['-rw_timeout', String(WATCH_RW_TIMEOUT_US), '-i', url],
        ...['-map', '0:v:0', '-c', 'copy', '-f', 'null', '-', '-progress', 'pipe:1'],
      ],
      {
        onLine(line) {
          if (!line.startsWith('frame=')) return;
          current = Number(line.slice('frame='.length));
          for (const waiter of waiters) waiter();
        },
      },
    );
    pull = started;
    void started.exited.then(() => {
      finished += current;
      current = 0;
      if (!stopped) retry = setTimeout(launch, WATCH_RETRY_MS);
    });
  };
  launch();

  return {
    frames: total,
    waitForFrames(count, timeoutMs) {
      const target = total() + count;
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (total() < target) return;
          cleanup();
          resolve(total());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${url}: ${total()} frames, waited ${timeoutMs} ms for ${target}\n${pull?.output() ?? ''}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    output: () => pull?.output() ?? '',
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await pull?.end('SIGKILL');
    },
  };
}
