/**
 * Daemon start-up: time from spawn to READY=1 (received on a NOTIFY_SOCKET, as systemd would) and
 * idle RSS once settled, against a bare node process (spawn to its first output, and its RSS)
 * measured in the same run, so the ratios say what the agent adds to node itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSocket } from 'unix-dgram';
import { rssMiB } from './procStats.js';
import { median } from './syncHarness.js';
import type { Bench, BenchRow } from './types.js';

/** The shipped build (npm run build), not this bench's own compile: start-up is measured as it ships. */
const CLI = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));
const RESTARTS = 5;
/** Long enough for start-up garbage to be collected and timers to settle. */
const SETTLE_MS = 3_000;

async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Spawns the daemon; resolves at READY=1 with the elapsed ms (and RSS when asked to settle). */
async function daemonStart(
  dir: string,
  configPath: string,
  settle: boolean,
): Promise<{ readyMs: number; rss?: number }> {
  const notifyPath = join(dir, `notify-${Date.now()}.sock`);
  const socket = createSocket('unix_dgram');
  const ready = new Promise<number>((resolve) => {
    socket.on('message', (message: Buffer) => {
      if (message.toString().split('\n').includes('READY=1')) resolve(performance.now());
    });
  });
  socket.bind(notifyPath);
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'run', '--config', configPath], {
    env: { ...process.env, NOTIFY_SOCKET: notifyPath },
    stdio: 'ignore',
  });
  try {
    const readyMs = (await ready) - started;
    if (!settle) return { readyMs };
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return { readyMs, rss: rssMiB(child.pid!) };
  } finally {
    await stop(child);
    socket.close();
  }
}

async function bareNode(settle: boolean): Promise<{ firstOutputMs: number; rss?: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', "console.log('up'); setInterval(() => {}, 1000)"], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await once(child.stdout, 'data');
    const firstOutputMs = performance.now() - started;
    if (!settle) return { firstOutputMs };
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return { firstOutputMs, rss: rssMiB(child.pid!) };
  } finally {
    await stop(child);
  }
}

export const benchStartup: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'room-agent-bench-startup-'));
  try {
    const configPath = join(dir, 'config.yaml');
    writeFileSync(
      configPath,
      `version: 1\ndevice:\n  id: bench-room\n  dataDir: ${join(dir, 'data')}\ncounty:\n  url: mqtt://127.0.0.1:1883\nlog:\n  level: warn\n  format: json\n`,
    );

    // The very first start also creates the journal and the device key.
    const first = await daemonStart(dir, configPath, false);
    const bareFirst = await bareNode(false);
    const restarts: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      restarts.push((await daemonStart(dir, configPath, false)).readyMs);
      bare.push((await bareNode(false)).firstOutputMs);
    }
    const idle = await daemonStart(dir, configPath, true);
    const bareIdle = await bareNode(true);

    const rows: BenchRow[] = [
      {
        metric: 'start to READY=1, first start (new journal + key)',
        value: first.readyMs,
        unit: 'ms',
        baseline: bareFirst.firstOutputMs,
        ratio: first.readyMs / bareFirst.firstOutputMs,
        note: 'baseline: bare node to first output',
      },
      {
        metric: `start to READY=1, median of ${RESTARTS} restarts`,
        value: median(restarts),
        unit: 'ms',
        baseline: median(bare),
        ratio: median(restarts) / median(bare),
        note: 'baseline: bare node to first output',
      },
      {
        metric: `idle RSS after ${SETTLE_MS / 1000} s`,
        value: idle.rss!,
        unit: 'MiB',
        baseline: bareIdle.rss!,
        ratio: idle.rss! / bareIdle.rss!,
        note: 'baseline: bare node with one timer',
      },
    ];
    return { name: 'daemon start-up and idle footprint', rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
