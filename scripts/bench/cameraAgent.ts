/**
 * The camera bench's two sides: the real daemon (`room-agent run` from dist/, its cameras pushing
 * with mode `always`) followed through its `camera state` log lines, and bare ffmpeg relays.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnRig, type RigProcess } from '../../src/demo/rigProcess.js';

/** The shipped build (npm run build): the agent is measured as it ships. */
const CLI = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));
/** The daemon's stop: ffmpeg's graceful end included, within the daemon's own 5 s deadline. */
const AGENT_STOP_GRACE_MS = 10_000;

export interface AgentCamera {
  name: string;
  url: string;
  /** The camera's push (mode always); without one it only records meetings. */
  pushUrl?: string | undefined;
}

/** The state key of a camera's meeting recording, as `state()` and `waitForState()` take it. */
export const recordingOf = (camera: string): string => `record:${camera}`;

export interface Agent {
  readonly pid: number;
  state(camera: string): string | undefined;
  /** Resolves with performance.now() when `camera` enters `state` (at once if it is there); rejects after `timeoutMs`. */
  waitForState(camera: string, state: string, timeoutMs: number): Promise<number>;
  /** Resolves once `camera` is in any state but `state`. */
  waitToLeave(camera: string, state: string, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

function configYaml(dataDir: string, countyPort: number, cameras: readonly AgentCamera[], extra: string[]): string {
  // JSON strings are YAML strings: the URLs need no escaping of their own.
  const camera = (entry: AgentCamera): string =>
    [
      `  - name: ${entry.name}`,
      `    url: ${JSON.stringify(entry.url)}`,
      ...(entry.pushUrl === undefined
        ? []
        : ['    push:', `      url: ${JSON.stringify(entry.pushUrl)}`, '      mode: always']),
    ].join('\n');
  return [
    'version: 1',
    'device:',
    '  id: bench-room',
    `  dataDir: ${JSON.stringify(dataDir)}`,
    // Nobody listens there: the push does not depend on the county link, and no broker runs beside it.
    'county:',
    `  url: mqtt://127.0.0.1:${countyPort}`,
    'cameras:',
    ...cameras.map(camera),
    'log:',
    '  level: info',
    '  format: json',
    ...extra,
    '',
  ].join('\n');
}

/**
 * Starts the daemon with `cameras` (and `extra` lines of configuration); its data stays in `dir`
 * (reused by later starts). Its cameras' states come from its `camera state` log lines, their
 * recordings' from its `recording state` lines (under recordingOf(name)).
 */
export function startAgent(
  dir: string,
  countyPort: number,
  cameras: readonly AgentCamera[],
  extra: string[] = [],
): Agent & { configFile: string } {
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, configYaml(join(dir, 'data'), countyPort, cameras, extra));
  const states = new Map<string, string>();
  const waiters = new Set<() => void>();
  const daemon: RigProcess = spawnRig(process.execPath, [CLI, 'run', '--config', configFile], {
    onLine(line) {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { msg?: string; camera?: string; state?: string };
      if (entry.camera === undefined || entry.state === undefined) return;
      if (entry.msg === 'camera state') states.set(entry.camera, entry.state);
      else if (entry.msg === 'recording state') states.set(recordingOf(entry.camera), entry.state);
      else return;
      for (const waiter of waiters) waiter();
    },
  });

  const until = (done: () => boolean, timeoutMs: number, what: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        cleanup();
        resolve(performance.now());
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`agent: ${what} not within ${timeoutMs} ms\n${daemon.output().slice(-4000)}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      void daemon.exited.then(() => {
        if (!waiters.has(check)) return;
        cleanup();
        reject(new Error(`agent exited while waiting for ${what}\n${daemon.output().slice(-4000)}`));
      });
      check();
    });

  return {
    pid: daemon.pid,
    configFile,
    state: (camera) => states.get(camera),
    waitForState: (camera, state, timeoutMs) =>
      until(() => states.get(camera) === state, timeoutMs, `${camera} ${state}`),
    async waitToLeave(camera, state, timeoutMs) {
      await until(() => states.get(camera) !== state, timeoutMs, `${camera} leaving ${state}`);
    },
    stop: () => daemon.end('SIGTERM', AGENT_STOP_GRACE_MS),
  };
}

/** An ffmpeg (a bare relay, a pull at the receiver) whose progress blocks say when frames flow. */
export interface ProgressFfmpeg {
  readonly process: RigProcess;
  /** performance.now() at its first progress block with frames, once there was one. */
  framesAt(): number | undefined;
}

export function startProgressFfmpeg(args: readonly string[]): ProgressFfmpeg {
  let framesAt: number | undefined;
  const process = spawnRig('ffmpeg', args, {
    onLine(line) {
      if (framesAt !== undefined || !line.startsWith('frame=') || Number(line.slice('frame='.length)) === 0) return;
      framesAt = performance.now();
    },
  });
  return { process, framesAt: () => framesAt };
}

/** How often waitFor() looks; the times it waits for are taken when they happen, not when it looks. */
const POLL_MS = 20;

/** Resolves with what `check` returns once it returns something; rejects after `timeoutMs`, naming `what`. */
export async function waitFor<T>(check: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** How long a receiver's pull waits for a stream nobody publishes yet: longer than any comeback. */
const PULL_WAIT_US = 60_000_000;

/**
 * The receiver's side: `stream` pulled back from the media server, its frames counted and
 * dropped. A short probe: with ffmpeg's default one, the pull's first frames came about 3.7 s
 * after the publisher's, with this one within 0.15 s, which would otherwise hide what is measured.
 */
export function pullArgs(stream: string): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1'],
    ...['-probesize', '32768', '-analyzeduration', '500000', '-rw_timeout', String(PULL_WAIT_US)],
    ...['-i', stream, '-map', '0:v:0', '-c', 'copy', '-f', 'null', '-'],
  ];
}

/**
 * `ffmpeg -rtsp_transport tcp -i CAMERA [videoArgs] -f flv SERVER`: what a relay without the agent
 * runs, with the progress blocks on stdout that the agent's ffmpeg writes too.
 */
export function bareRelayArgs(camera: string, server: string, videoArgs: readonly string[] = ['-c', 'copy']): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1'],
    ...['-rtsp_transport', 'tcp', '-i', camera, ...videoArgs, '-f', 'flv', server],
  ];
}
