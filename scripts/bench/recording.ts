/**
 * Meeting recordings: what recording one camera costs in the agent (the daemon plus its recording
 * ffmpeg, segments closed, fsynced, hashed and indexed) against a bare `ffmpeg -c copy -f segment`
 * of the same stream (G.711 to AAC as the agent does), on the test camera (GStreamer RTSP, 640×360
 * H.264 at 25 fps with G.711 audio). The two run one after the other, never together, alternating
 * order from round to round. Figures: CPU (% of a core) and the rate written to the recordings
 * folder. Sizes: `--rounds`, `--window-seconds`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../src/demo/ports.js';
import { startRtspCamera, type RtspCamera } from '../../src/demo/rtspCamera.js';
import { recordingOf, startAgent, startProgressFfmpeg, waitFor } from './cameraAgent.js';
import { cpuOverWindow, processTree } from './procStats.js';
import { countOption, inOrder, median, phase, withScope } from './syncHarness.js';
import type { Bench, BenchRow } from './types.js';

const run = promisify(execFile);
const BENCH = 'recording';
const CLI = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));
const LIVE_TIMEOUT_MS = 60_000;
/** Recording under way: start-up done, the first segment being written. */
const SETTLE_MS = 5_000;
const SEGMENT_SECONDS = 10;
const CAMERA = 'cam1';

interface Measured {
  /** % of a core over the window. */
  cpu: number;
  /** Bytes per second added to the recording's folder over the window. */
  writeRate: number;
  /** The daemon alone, % of a core (agent only). */
  daemon?: number;
}

/** Bytes of every file under `dir`. */
function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).reduce((total, entry) => {
    const path = join(dir, entry.name);
    return total + (entry.isDirectory() ? folderBytes(path) : statSync(path).size);
  }, 0);
}

async function measure(pids: () => number[], daemon: number | undefined, dir: string, windowMs: number) {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const before = folderBytes(dir);
  const used = await cpuOverWindow(pids(), windowMs);
  const written = folderBytes(dir) - before;
  const seconds = windowMs / 1000;
  const total = [...used.values()].reduce((sum, value) => sum + value, 0);
  return {
    cpu: (100 * total) / seconds,
    writeRate: written / seconds,
    ...(daemon !== undefined && { daemon: (100 * used.get(daemon)!) / seconds }),
  };
}

async function agentRound(dir: string, countyPort: number, camera: RtspCamera, windowMs: number): Promise<Measured> {
  mkdirSync(dir, { recursive: true });
  const agent = startAgent(
    dir,
    countyPort,
    [{ name: CAMERA, url: camera.url }],
    ['media:', `  recordingSegmentSeconds: ${SEGMENT_SECONDS}`],
  );
  try {
    // The CLI reaches the daemon once its control socket is up: until then it is tried again.
    for (let tries = 0; ; tries++) {
      try {
        await run(process.execPath, [
          ...[CLI, 'activity', 'start', '--config', agent.configFile],
          ...['--type', 'branch-meeting', '--title', 'bench', '--recording'],
        ]);
        break;
      } catch (error) {
        if (tries > 60) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    await agent.waitForState(recordingOf(CAMERA), 'live', LIVE_TIMEOUT_MS);
    return await measure(() => processTree(agent.pid), agent.pid, join(dir, 'data', 'media', 'recordings'), windowMs);
  } finally {
    await agent.stop();
  }
}

async function bareRound(dir: string, camera: RtspCamera, windowMs: number): Promise<Measured> {
  mkdirSync(dir, { recursive: true });
  const bare = startProgressFfmpeg([
    ...['-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1'],
    ...['-rtsp_transport', 'tcp', '-i', camera.url, '-map', '0:v:0', '-map', '0:a:0?'],
    ...['-c:v', 'copy', '-c:a', 'aac', '-b:a', '64k', '-f', 'segment', '-segment_format', 'mpegts'],
    ...['-segment_time', String(SEGMENT_SECONDS), join(dir, 'bare-%05d.ts')],
  ]);
  try {
    await waitFor(
      () => bare.framesAt(),
      LIVE_TIMEOUT_MS,
      () => `bare recorder's first frame\n${bare.process.output()}`,
    );
    return await measure(() => [bare.process.pid], undefined, dir, windowMs);
  } finally {
    await bare.process.end('SIGTERM');
  }
}

export const benchRecording: Bench = (options) =>
  withScope(async (scope) => {
    const rounds = countOption(options, 'rounds', 2);
    const windowMs = countOption(options, 'window-seconds', 20) * 1000;
    phase(BENCH, 'starting the test camera');
    const dir = scope.tempDir('room-agent-bench-recording-');
    const camera = await startRtspCamera({ variant: 'h264-pcma', user: 'admin', password: 'bench-secret' });
    scope.defer(() => camera.stop());
    const countyPort = await freePort();
    const agent: Measured[] = [];
    const bare: Measured[] = [];
    for (let round = 0; round < rounds; round++) {
      phase(BENCH, `recording one camera, round ${round + 1} of ${rounds}`);
      const [agentResult, bareResult] = await inOrder(
        round % 2 === 1,
        () => agentRound(join(dir, `agent-${round}`), countyPort, camera, windowMs),
        () => bareRound(join(dir, `bare-${round}`), camera, windowMs),
      );
      agent.push(agentResult);
      bare.push(bareResult);
    }
    const compared = (metric: string, unit: string, pick: (m: Measured) => number, note: string): BenchRow => {
      const value = median(agent.map(pick));
      const baseline = median(bare.map(pick));
      return { metric, value, unit, baseline, ratio: value / baseline, note };
    };
    const rows: BenchRow[] = [
      compared(
        'record one camera: agent CPU (daemon + its ffmpeg)',
        '% core',
        (m) => m.cpu,
        `${windowMs / 1000} s of a recording, ${SEGMENT_SECONDS} s segments, median of ${rounds}; baseline: bare ffmpeg -c copy -f segment`,
      ),
      { metric: '  of which the daemon (node)', value: median(agent.map((m) => m.daemon ?? 0)), unit: '% core' },
      compared(
        'record one camera: write rate',
        'kB/s',
        (m) => m.writeRate / 1000,
        'bytes added to the recording folder over the window; baseline: the bare segmenter',
      ),
    ];
    return { name: 'recordings: CPU and write rate per camera', rows };
  });
