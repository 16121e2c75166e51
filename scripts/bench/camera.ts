/**
 * Cameras: what the agent costs over the plain ffmpeg it runs, on the test camera (GStreamer RTSP,
 * 640×360 H.264 at 25 fps) and nginx-rtmp on loopback. The agent and its baselines run one after
 * the other, never together, and alternate order from round to round:
 * - CPU of relaying one camera (the daemon plus its ffmpeg) against a bare `ffmpeg -c copy` relay,
 *   and that relay transcoded (libx264 veryfast 640×360) for contrast;
 * - RSS with two cameras pushing against a bare ffmpeg pair;
 * - a camera killed and started again: from its port serving again to the agent's `live` and to
 *   frames rising at the receiver, against a bare relay restarted in a loop with no backoff;
 * - a photo grab (the agent's grabJpeg on its ffmpeg runner) against a bare one-frame ffmpeg,
 *   with ffmpeg's default probing and with the agent's fast-probe flags.
 * Sizes: `--rounds` (CPU and RSS), `--window-seconds`, `--outages`, `--down-seconds`, `--grabs`.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { photoArgs } from '../../src/cameras/ffmpeg/args.js';
import { FfmpegRunner } from '../../src/cameras/ffmpeg/runner.js';
import { grabJpeg } from '../../src/cameras/photoGrab.js';
import type { MediaServer, StreamWatcher } from '../../src/demo/mediaServer.js';
import { startMediaServer } from '../../src/demo/mediaServer.js';
import { freePort } from '../../src/demo/ports.js';
import { spawnRig } from '../../src/demo/rigProcess.js';
import { startRtspCamera, type RtspCamera } from '../../src/demo/rtspCamera.js';
import {
  bareRelayArgs,
  pullArgs,
  startAgent,
  startProgressFfmpeg,
  waitFor,
  type Agent,
  type AgentCamera,
  type ProgressFfmpeg,
} from './cameraAgent.js';
import { cpuOverWindow, processTree, rssMiB } from './procStats.js';
import { countOption, inOrder, median, phase, withScope, type Scope } from './syncHarness.js';
import type { Bench, BenchRow } from './types.js';

const BENCH = 'camera';
/** A start: the daemon, ffprobe's look at the camera and ffmpeg's own start, on a loaded machine. */
const LIVE_TIMEOUT_MS = 60_000;
/** Frames at the receiver after a push went live: a second of the camera's 25 fps. */
const RECEIVER_FRAMES = 25;
const RECEIVER_TIMEOUT_MS = 30_000;
/** After the push is live and frames arrive: start-up garbage collected, ffmpeg's buffers steady. */
const SETTLE_MS = 3_000;
/** A killed camera's push ending (ffmpeg sees the connection close). */
const NOTICE_TIMEOUT_MS = 30_000;
/** One photo from a live camera, at most (the agent's own bound is its service's business). */
const GRAB_TIMEOUT_MS = 30_000;
const TRANSCODE = ['-c:v', 'libx264', '-preset', 'veryfast', '-s', '640x360'];

interface Rig {
  scope: Scope;
  dir: string;
  countyPort: number;
  cameras: [RtspCamera, RtspCamera];
  server: MediaServer;
  /** The receiver's pull of each stream, counting frames for the whole run. */
  watchers: Map<string, StreamWatcher>;
}

/** A camera the bench pushes. */
type PushedCamera = AgentCamera & { pushUrl: string };

function agentCamera(rig: Rig, index: 0 | 1): PushedCamera {
  return { name: `cam${index + 1}`, url: rig.cameras[index].url, pushUrl: rig.server.streamUrl(`cam${index + 1}`) };
}

function watcher(rig: Rig, stream: string): StreamWatcher {
  let watching = rig.watchers.get(stream);
  if (watching === undefined) {
    watching = rig.server.watch(stream);
    rig.watchers.set(stream, watching);
  }
  return watching;
}

/** The daemon with `cameras`, every one live and its frames arriving; stopped when `use` returns. */
async function withAgent<T>(rig: Rig, cameras: AgentCamera[], use: (agent: Agent) => Promise<T>): Promise<T> {
  const agent = startAgent(rig.dir, rig.countyPort, cameras);
  try {
    for (const camera of cameras) {
      await agent.waitForState(camera.name, 'live', LIVE_TIMEOUT_MS);
      await watcher(rig, camera.name).waitForFrames(RECEIVER_FRAMES, RECEIVER_TIMEOUT_MS);
    }
    return await use(agent);
  } finally {
    await agent.stop();
  }
}

/** Bare relays of `cameras`, each with frames arriving; ended when `use` returns. */
async function withBare<T>(
  rig: Rig,
  cameras: PushedCamera[],
  videoArgs: string[] | undefined,
  use: (relays: ProgressFfmpeg[]) => Promise<T>,
): Promise<T> {
  const relays = cameras.map((camera) => startProgressFfmpeg(bareRelayArgs(camera.url, camera.pushUrl, videoArgs)));
  try {
    for (const [i, camera] of cameras.entries()) {
      const relay = relays[i]!;
      await waitFor(
        () => relay.framesAt(),
        LIVE_TIMEOUT_MS,
        () => `bare relay's first frame\n${relay.process.output()}`,
      );
      await watcher(rig, camera.name).waitForFrames(RECEIVER_FRAMES, RECEIVER_TIMEOUT_MS);
    }
    return await use(relays);
  } finally {
    await Promise.all(relays.map((relay) => relay.process.end('SIGTERM')));
  }
}

/** A row of medians: the agent's figures against the baseline's, measured in the same rounds. */
function compared(metric: string, unit: string, values: number[], baselines: number[], note: string): BenchRow {
  const value = median(values);
  const baseline = median(baselines);
  return { metric, value, unit, baseline, ratio: value / baseline, note };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const sum = (values: Iterable<number>): number => [...values].reduce((total, value) => total + value, 0);
const percentOfCore = (cpuSeconds: number, windowMs: number): number => (100 * cpuSeconds) / (windowMs / 1000);

interface AgentCpu {
  total: number;
  daemon: number;
}

async function relayCpu(rig: Rig, rounds: number, windowMs: number): Promise<BenchRow[]> {
  const camera = agentCamera(rig, 0);
  const agent: AgentCpu[] = [];
  const copy: number[] = [];
  const transcode: number[] = [];
  const bare = (videoArgs: string[] | undefined): Promise<number> =>
    withBare(rig, [camera], videoArgs, async ([relay]) => {
      await settle();
      const used = await cpuOverWindow([relay!.process.pid], windowMs);
      return percentOfCore(sum(used.values()), windowMs);
    });
  for (let round = 0; round < rounds; round++) {
    phase(BENCH, `relay CPU, round ${round + 1} of ${rounds}`);
    const [agentRound, copyRound] = await inOrder(
      round % 2 === 1,
      () =>
        withAgent(rig, [camera], async (daemon) => {
          await settle();
          const used = await cpuOverWindow(processTree(daemon.pid), windowMs);
          return {
            total: percentOfCore(sum(used.values()), windowMs),
            daemon: percentOfCore(used.get(daemon.pid)!, windowMs),
          };
        }),
      () => bare(undefined),
    );
    agent.push(agentRound);
    copy.push(copyRound);
    transcode.push(await bare(TRANSCODE));
  }
  return [
    compared(
      'relay one camera: agent CPU (daemon + its ffmpeg)',
      '% core',
      agent.map((round) => round.total),
      copy,
      `${windowMs / 1000} s of a live push, median of ${rounds}; baseline: bare ffmpeg -c copy relay`,
    ),
    { metric: '  of which the daemon (node)', value: median(agent.map((round) => round.daemon)), unit: '% core' },
    compared(
      'relay one camera: bare relay transcoded (contrast)',
      '% core',
      transcode,
      copy,
      'libx264 veryfast 640×360; baseline: bare ffmpeg -c copy relay',
    ),
  ];
}

async function twoCameraRss(rig: Rig, rounds: number): Promise<BenchRow[]> {
  const cameras = [agentCamera(rig, 0), agentCamera(rig, 1)];
  const agent: number[] = [];
  const daemon: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < rounds; round++) {
    phase(BENCH, `RSS with two cameras, round ${round + 1} of ${rounds}`);
    const [agentRound, bareRound] = await inOrder(
      round % 2 === 1,
      () =>
        withAgent(rig, cameras, async (started) => {
          await settle();
          daemon.push(rssMiB(started.pid));
          return sum(processTree(started.pid).map(rssMiB));
        }),
      () =>
        withBare(rig, cameras, undefined, async (relays) => {
          await settle();
          return sum(relays.map((relay) => rssMiB(relay.process.pid)));
        }),
    );
    agent.push(agentRound);
    bare.push(bareRound);
  }
  return [
    compared(
      'two cameras pushing: agent RSS (daemon + its ffmpeg)',
      'MiB',
      agent,
      bare,
      `sum of VmRSS, median of ${rounds}; baseline: two bare ffmpeg -c copy relays`,
    ),
    { metric: '  of which the daemon (node)', value: median(daemon), unit: 'MiB' },
  ];
}

interface Comeback {
  /** From the camera's port serving again to the push's first frames at ffmpeg (the agent's `live`). */
  liveMs: number;
  /** From the camera's port serving again to frames rising at the receiver. */
  receiverMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Kills the camera, waits until the push has `noticed`, then `downMs` more, starts the camera
 * again and times the comeback: `live(since)` resolves with the time the push had frames again.
 */
async function outage(
  rig: Rig,
  noticed: () => Promise<void>,
  downMs: number,
  live: (since: number) => Promise<number>,
): Promise<Comeback> {
  const [camera] = rig.cameras;
  await camera.kill();
  await noticed();
  await sleep(downMs);
  // start() returns at the camera's ready line, printed once its server is bound and serving.
  await camera.start();
  const back = performance.now();
  // A pull of its own, waiting from now (ffmpeg starts in far less than any push takes to come
  // back): one that lived through the outage was seen to take ten seconds more to count the
  // new publisher's frames, now and then, whoever pushed.
  const receiver = startProgressFfmpeg(pullArgs(rig.server.streamUrl('cam1')));
  try {
    const [liveAt, receiverAt] = await Promise.all([
      live(back),
      waitFor(
        () => receiver.framesAt(),
        LIVE_TIMEOUT_MS,
        () => `frames at the receiver\n${receiver.process.output()}`,
      ),
    ]);
    return { liveMs: liveAt - back, receiverMs: receiverAt - back };
  } finally {
    await receiver.process.end('SIGKILL');
  }
}

/**
 * A bare relay started again the moment it ends, however it ended: no backoff, no probe. While
 * the camera is down it is restarted as fast as ffmpeg fails.
 */
class BareLoop {
  private current: ProgressFfmpeg;
  private stopped = false;
  starts = 0;

  constructor(private readonly camera: PushedCamera) {
    this.current = this.launch();
  }

  /** performance.now() at the first frames of a relay that had them at or after `since`. */
  firstFrameAfter(since: number): Promise<number> {
    return waitFor(
      () => {
        const at = this.current.framesAt();
        return at !== undefined && at >= since ? at : undefined;
      },
      LIVE_TIMEOUT_MS,
      () => `bare relay's frames\n${this.current.process.output()}`,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.current.process.end('SIGTERM');
  }

  private launch(): ProgressFfmpeg {
    const relay = startProgressFfmpeg(bareRelayArgs(this.camera.url, this.camera.pushUrl));
    this.starts++;
    void relay.process.exited.then(() => {
      if (!this.stopped) this.current = this.launch();
    });
    return relay;
  }
}

async function agentComeback(rig: Rig, downMs: number): Promise<Comeback> {
  const camera = agentCamera(rig, 0);
  return withAgent(rig, [camera], (agent) =>
    outage(
      rig,
      () => agent.waitToLeave(camera.name, 'live', NOTICE_TIMEOUT_MS),
      downMs,
      () => agent.waitForState(camera.name, 'live', LIVE_TIMEOUT_MS),
    ),
  );
}

async function bareComeback(rig: Rig, downMs: number): Promise<Comeback & { starts: number }> {
  const camera = agentCamera(rig, 0);
  const loop = new BareLoop(camera);
  try {
    await loop.firstFrameAfter(0);
    await watcher(rig, camera.name).waitForFrames(RECEIVER_FRAMES, RECEIVER_TIMEOUT_MS);
    const startsBefore = loop.starts;
    const comeback = await outage(
      rig,
      async () => {
        await waitFor(
          () => (loop.starts > startsBefore ? true : undefined),
          NOTICE_TIMEOUT_MS,
          () => 'bare relay ending',
        );
      },
      downMs,
      (since) => loop.firstFrameAfter(since),
    );
    return { ...comeback, starts: loop.starts - startsBefore };
  } finally {
    await loop.stop();
  }
}

async function cameraBack(rig: Rig, outages: number, downMs: number): Promise<BenchRow[]> {
  const agent: Comeback[] = [];
  const bare: (Comeback & { starts: number })[] = [];
  for (let i = 0; i < outages; i++) {
    phase(BENCH, `camera killed and back, outage ${i + 1} of ${outages}`);
    const [agentRound, bareRound] = await inOrder(
      i % 2 === 1,
      () => agentComeback(rig, downMs),
      () => bareComeback(rig, downMs),
    );
    agent.push(agentRound);
    bare.push(bareRound);
    const times = (run: Comeback): string =>
      `${Math.round(run.liveMs)} ms live, ${Math.round(run.receiverMs)} ms receiver`;
    phase(BENCH, `agent ${times(agentRound)}; bare ${times(bareRound)}`);
  }
  return [
    compared(
      'camera back: port serving to agent live',
      'ms',
      agent.map((run) => run.liveMs),
      bare.map((run) => run.liveMs),
      `killed, back after ${downMs / 1000} s, median of ${outages}; baseline: bare relay restarted with no backoff, to its first frame`,
    ),
    compared(
      'camera back: port serving to frames at the receiver',
      'ms',
      agent.map((run) => run.receiverMs),
      bare.map((run) => run.receiverMs),
      `the baseline's loop started ffmpeg ${median(bare.map((run) => run.starts))} times per outage (median)`,
    ),
  ];
}

/** The probing options of the agent's photo grab (`-probesize`, `-analyzeduration`), as its argument builder gives them. */
function fastProbeFlags(): string[] {
  const args = photoArgs({ input: 'camera', output: 'photo.jpg' });
  return ['-probesize', '-analyzeduration'].flatMap((flag) => {
    const at = args.indexOf(flag);
    if (at < 0) throw new Error(`the agent's photo arguments have no ${flag}`);
    return [flag, args[at + 1]!];
  });
}

async function bareGrab(url: string, output: string, probeFlags: string[]): Promise<number> {
  rmSync(output, { force: true });
  const started = performance.now();
  const grab = spawnRig('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', ...probeFlags],
    ...['-rtsp_transport', 'tcp', '-i', url, '-frames:v', '1', '-y', output],
  ]);
  const timer = setTimeout(() => void grab.end('SIGKILL'), GRAB_TIMEOUT_MS);
  await grab.exited;
  clearTimeout(timer);
  if (!existsSync(output)) throw new Error(`bare photo grab wrote nothing\n${grab.output()}`);
  return performance.now() - started;
}

async function photoGrab(rig: Rig, grabs: number): Promise<BenchRow[]> {
  const { url } = rig.cameras[0];
  const runner = new FfmpegRunner({ ffmpegPath: 'ffmpeg', runDir: join(rig.dir, 'run') });
  const fast = fastProbeFlags();
  const agent: number[] = [];
  const plain: number[] = [];
  const flagged: number[] = [];
  const tries = [
    async (): Promise<void> => {
      const started = performance.now();
      await grabJpeg(runner, { camera: 'cam1', url, target: join(rig.dir, 'agent.jpg'), timeoutMs: GRAB_TIMEOUT_MS });
      agent.push(performance.now() - started);
    },
    async (): Promise<void> => void plain.push(await bareGrab(url, join(rig.dir, 'plain.jpg'), [])),
    async (): Promise<void> => void flagged.push(await bareGrab(url, join(rig.dir, 'flagged.jpg'), fast)),
  ];
  for (let i = 0; i < grabs; i++) {
    phase(BENCH, `photo grabs, round ${i + 1} of ${grabs}`);
    // Each round in a different order: no grab always follows the same one.
    for (let j = 0; j < tries.length; j++) await tries[(i + j) % tries.length]!();
  }
  return [
    compared(
      'photo grab: agent (grabJpeg, fsync, rename)',
      'ms',
      agent,
      plain,
      `median of ${grabs}, alternated; baseline: bare ffmpeg -frames:v 1, default probing`,
    ),
    compared(
      'photo grab: agent, against its own probe flags',
      'ms',
      agent,
      flagged,
      `baseline: bare ffmpeg -frames:v 1 ${fast.join(' ')}`,
    ),
  ];
}

export const benchCamera: Bench = (options) =>
  withScope(async (scope) => {
    const rounds = countOption(options, 'rounds', 2);
    const windowMs = countOption(options, 'window-seconds', 15) * 1000;
    const outages = countOption(options, 'outages', 3);
    const downMs = countOption(options, 'down-seconds', 6) * 1000;
    const grabs = countOption(options, 'grabs', 5);
    phase(BENCH, 'starting two test cameras and the media server');
    const dir = scope.tempDir('room-agent-bench-camera-');
    const startCamera = async (): Promise<RtspCamera> => {
      const camera = await startRtspCamera({ variant: 'h264', user: 'admin', password: 'bench-secret' });
      scope.defer(() => camera.stop());
      return camera;
    };
    const cameras: [RtspCamera, RtspCamera] = [await startCamera(), await startCamera()];
    const server = await startMediaServer();
    scope.defer(() => server.stop());
    const rig: Rig = { scope, dir, countyPort: await freePort(), cameras, server, watchers: new Map() };
    const rows = [
      ...(await relayCpu(rig, rounds, windowMs)),
      ...(await twoCameraRss(rig, rounds)),
      ...(await cameraBack(rig, outages, downMs)),
      ...(await photoGrab(rig, grabs)),
    ];
    return { name: 'cameras: relay CPU, RSS, comeback, photo grab', rows };
  });
