/**
 * The county's media server receiving a push over SRT, on loopback: Debian's srt-live-transmit
 * (srt-tools) listening on a free UDP port and writing the MPEG-TS it receives to its stdout,
 * which is handed on over TCP on loopback to whoever reads `tsUrl` (ffmpeg reads
 * tcp://127.0.0.1:PORT as it reads an RTMP pull from nginx). So watch() counts the frames that
 * arrive and streamFrameHashes(tsUrl, n) decodes them. pause() (SIGSTOP: the listener, its SRT
 * threads included, answers nothing, as a hung server or a dead link), kill() and start() on the
 * same port. Imports only node:* and src/demo/*.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { watchStream, type StreamWatcher } from '../../src/demo/mediaServer.js';
import { spawnRig, type RigProcess } from '../../src/demo/rigProcess.js';

export const SRT_LIVE_TRANSMIT = '/usr/bin/srt-live-transmit';
/** A new reader starts at a packet boundary: ffmpeg would resync, but with a warning. */
const TS_PACKET_BYTES = 188;
/** A reader this far behind is hung: it is dropped rather than kept in memory. */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
const READY_TIMEOUT_MS = 10_000;

export interface SrtReceiverOptions {
  /** The listener's passphrase (10 to 79 characters): a caller must give the same one. */
  passphrase?: string;
}

/** What a caller's URL carries besides the address; ffmpeg reads `latency` in microseconds. */
export interface SrtCallerOptions {
  passphrase?: string;
  streamid?: string;
  latencyUs?: number;
}

export interface SrtReceiver {
  /** The listener's UDP port. */
  readonly port: number;
  /** tcp://127.0.0.1:PORT: the received MPEG-TS, from the moment a reader connects. */
  readonly tsUrl: string;
  /** srt://127.0.0.1:PORT?mode=caller&…: the push URL of a camera that pushes here. */
  pushUrl(options?: SrtCallerOptions): string;
  /** SIGSTOP: nothing is acknowledged or read, no new connection is answered. */
  pause(): void;
  resume(): void;
  /** SIGKILL: the connection is gone and the port closed. */
  kill(): Promise<void>;
  /** Listens again on the same port, after kill(). */
  start(): Promise<void>;
  /** Counts the frames that arrive, over pauses and restarts (see watchStream). */
  watch(): StreamWatcher;
  /** The tail of srt-live-transmit's stderr (its connections and libsrt's warnings). */
  output(): string;
  /** Ends the listener, the readers and the watchers: the end of a test. */
  stop(): Promise<void>;
}

interface Reader {
  socket: Socket;
  /** The stream position (bytes since the receiver was created) this reader starts at. */
  from: number;
}

export async function startSrtReceiver(options: SrtReceiverOptions = {}): Promise<SrtReceiver> {
  const port = await freeUdpPort();
  const readers = new Set<Reader>();
  let position = 0;
  const relay = createServer((socket) => {
    const reader = { socket, from: Math.ceil(position / TS_PACKET_BYTES) * TS_PACKET_BYTES };
    readers.add(reader);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => readers.delete(reader));
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(0, '127.0.0.1', resolve);
  });
  const relayPort = (relay.address() as { port: number }).port;

  const handOn = (chunk: Buffer): void => {
    const chunkAt = position;
    position += chunk.length;
    for (const { socket, from } of readers) {
      const skip = Math.max(0, from - chunkAt);
      if (skip >= chunk.length) continue;
      if (socket.writableLength > MAX_BACKLOG_BYTES) socket.destroy();
      else socket.write(skip === 0 ? chunk : chunk.subarray(skip));
    }
  };

  const listenerUrl = `srt://127.0.0.1:${port}?mode=listener${options.passphrase === undefined ? '' : `&passphrase=${encodeURIComponent(options.passphrase)}`}`;
  let listener: RigProcess | undefined;
  let earlierOutput = '';
  const start = async (): Promise<void> => {
    const started = spawnRig(SRT_LIVE_TRANSMIT, [listenerUrl, 'file://con'], { onData: handOn });
    listener = started;
    const until = Date.now() + READY_TIMEOUT_MS;
    while (!udpBound(port)) {
      if (!started.running() || Date.now() > until) {
        await started.end('SIGKILL');
        throw new Error(`srt-live-transmit did not listen on UDP ${port}\n${started.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await start();

  const watchers = new Set<StreamWatcher>();
  const tsUrl = `tcp://127.0.0.1:${relayPort}`;
  return {
    port,
    tsUrl,
    pushUrl(caller = {}) {
      const parameters = [
        'mode=caller',
        ...(caller.latencyUs === undefined ? [] : [`latency=${caller.latencyUs}`]),
        ...(caller.passphrase === undefined ? [] : [`passphrase=${encodeURIComponent(caller.passphrase)}`]),
        // Last: a streamid's value runs to the end of the URL or the next "&" (SRT's "#!::" form has none).
        ...(caller.streamid === undefined ? [] : [`streamid=${caller.streamid}`]),
      ];
      return `srt://127.0.0.1:${port}?${parameters.join('&')}`;
    },
    pause: () => listener?.signal('SIGSTOP'),
    resume: () => listener?.signal('SIGCONT'),
    async kill() {
      earlierOutput += listener?.output() ?? '';
      await listener?.end('SIGKILL');
    },
    start,
    watch() {
      const watcher = watchStream(tsUrl);
      watchers.add(watcher);
      return watcher;
    },
    output: () => `${earlierOutput}${listener?.output() ?? ''}`.slice(-64 * 1024),
    async stop() {
      await Promise.all([...watchers].map((watcher) => watcher.stop()));
      await listener?.end('SIGKILL');
      for (const { socket } of readers) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

/** A UDP port nobody has bound on loopback now (taken again before use only by a race: start() then fails). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', resolve);
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** Whether a socket is bound to UDP `port` on 127.0.0.1 (or any address), from /proc/net/udp. */
function udpBound(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .slice(1)
    .some((line) => {
      const local = line.trim().split(/\s+/)[1];
      return local === `0100007F:${hexPort}` || local === `00000000:${hexPort}`;
    });
}
