import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCameraError } from '../../src/cameras/errors.js';
import { FfmpegRunner } from '../../src/cameras/ffmpeg/runner.js';
import type { FfmpegProgress, FfmpegRun } from '../../src/cameras/types.js';
import { writePidFile } from '../../src/util/processGroup.js';
import { makeTempDir } from '../helpers/cli.js';

/** An endless live source: a small test picture at 25 fps in real time, encoded nowhere. */
const LIVE = ['-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-f', 'null', '-'];
const PROGRESS = ['-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1'];

let temp: { dir: string; cleanup: () => void };
let runDir: string;
let runner: FfmpegRunner;
const running: FfmpegRun[] = [];

beforeEach(() => {
  temp = makeTempDir('room-agent-ffmpeg-');
  runDir = join(temp.dir, 'run');
  runner = new FfmpegRunner({ ffmpegPath: 'ffmpeg', runDir });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((run) => run.stop(100)));
  temp.cleanup();
});

async function start(runWith: FfmpegRunner, args: string[], secrets?: string[]): Promise<FfmpegRun> {
  const run = await runWith.start({ name: 'cam 1', args, secrets });
  running.push(run);
  return run;
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** An executable shell script standing in for ffmpeg where real ffmpeg cannot misbehave on purpose. */
function script(name: string, body: string): string {
  const path = join(temp.dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('the ffmpeg runner', () => {
  it('reports progress blocks with the frame count rising', async () => {
    const run = await start(runner, [...PROGRESS, ...LIVE]);
    const blocks: FfmpegProgress[] = [];
    run.onProgress((block) => blocks.push(block));
    await waitUntil(() => blocks.length >= 4, 20_000, 'four progress blocks');
    const frames = blocks.map((block) => block.frame);
    for (let index = 1; index < frames.length; index++)
      expect(frames[index]).toBeGreaterThanOrEqual(frames[index - 1]!);
    expect(frames.at(-1)!).toBeGreaterThan(frames[0]!);
    expect(blocks.every((block) => block.progress === 'continue')).toBe(true);
  });

  it('stops ffmpeg with q: a clean exit, code 0, before any signal is due, and its pid file gone', async () => {
    const run = await start(runner, [...PROGRESS, ...LIVE]);
    const pidFiles = readdirSync(runDir);
    expect(pidFiles).toHaveLength(1);
    expect(pidFiles[0]).toMatch(/^cam_1-\d+\.pid$/);
    const blocks: FfmpegProgress[] = [];
    run.onProgress((block) => blocks.push(block));
    await waitUntil(() => blocks.length >= 1, 20_000, 'a progress block');
    // Generous: q is read at once; SIGINT would come only after 20 s.
    const exit = await run.stop(20_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(blocks.at(-1)?.progress).toBe('end');
    expect(alive(run.pid)).toBe(false);
    expect(readdirSync(runDir)).toEqual([]);
  });

  it('stops an ffmpeg that ignores q (-nostdin) with SIGINT', async () => {
    const run = await start(runner, ['-nostdin', ...PROGRESS, ...LIVE]);
    // A progress block means ffmpeg is past its start and handles SIGINT itself.
    const blocks: FfmpegProgress[] = [];
    run.onProgress((block) => blocks.push(block));
    await waitUntil(() => blocks.length >= 1, 20_000, 'a progress block');
    const stopping = Date.now();
    const exit = await run.stop(5_000);
    // ffmpeg ends on SIGINT with its own exit code (255), not killed by a signal, and only after the grace for q.
    expect(exit.signal).toBeNull();
    expect(exit.code).not.toBe(0);
    expect(Date.now() - stopping).toBeGreaterThanOrEqual(4_900);
    expect(alive(run.pid)).toBe(false);
  });

  it('kills the whole group of a process that ignores q and SIGINT', async () => {
    const stubborn = script('stubborn', 'trap \'\' INT\nsleep 600 &\necho $! > "$0.child"\nwait');
    const run = await start(new FfmpegRunner({ ffmpegPath: stubborn, runDir }), []);
    await waitUntil(() => existsSync(`${stubborn}.child`), 10_000, 'the grandchild');
    const grandchild = Number(readFileSync(`${stubborn}.child`, 'utf8'));
    const exit = await run.stop(200);
    expect(exit.signal).toBe('SIGKILL');
    await waitUntil(() => !alive(grandchild), 5_000, 'the grandchild ending with the group');
  });

  it('keeps the last 100 stderr lines, masked', async () => {
    const noisy = script(
      'noisy',
      'i=0; while [ $i -lt 500 ]; do i=$((i+1)); echo "line $i rtsp://admin:Canary42@cam/x rtmp://m/l/s?key=Canary42"; done >&2',
    );
    const run = await start(new FfmpegRunner({ ffmpegPath: noisy, runDir }), []);
    await run.exited;
    const tail = run.stderrTail();
    expect(tail).toHaveLength(100);
    expect(tail[0]).toMatch(/^line 401 /);
    expect(tail.at(-1)).toBe('line 500 rtsp://admin:***@cam/x rtmp://m/l/s?key=***');
    expect(tail.join('\n')).not.toContain('Canary42');
  });

  it("masks the camera's password in real ffmpeg's error lines, and a literal secret given", async () => {
    const run = await start(
      runner,
      [
        ...PROGRESS,
        '-rtsp_transport',
        'tcp',
        '-i',
        'rtsp://admin:Canary%2342@127.0.0.1:1/Other-Canary/101',
        '-f',
        'null',
        '-',
      ],
      ['Other-Canary'],
    );
    const exit = await run.exited;
    expect(exit.code).not.toBe(0);
    const tail = run.stderrTail().join('\n');
    expect(tail).toContain('Connection refused');
    expect(tail).toContain('rtsp://admin:***@127.0.0.1:1/***/101');
    expect(tail).not.toMatch(/Canary/);
  });

  it('refuses a binary that is not there with ffmpeg-missing, wherever it is looked for', async () => {
    for (const ffmpegPath of [join(temp.dir, 'no-ffmpeg'), 'no-such-ffmpeg-binary']) {
      const missing = new FfmpegRunner({ ffmpegPath, runDir });
      const error = await missing.start({ name: 'cam', args: [] }).catch((caught: unknown) => caught);
      expect(isCameraError(error, 'ffmpeg-missing'), ffmpegPath).toBe(true);
    }
  });

  it("ends an earlier agent's leftover ffmpeg and leaves a reused pid alone", async () => {
    const leftover = await start(runner, [...PROGRESS, ...LIVE]);
    // A pid file whose process is now something else: the pid was reused by an unrelated program.
    const foreign = spawn('sleep', ['60'], { stdio: 'ignore' });
    await waitUntil(() => existsSync(`/proc/${foreign.pid}`), 5_000, 'the foreign process');
    writePidFile(runDir, 'cam_2-1', foreign.pid!, ['ffmpeg', '-i', 'rtsp://cam2/x']);
    try {
      const next = new FfmpegRunner({ ffmpegPath: 'ffmpeg', runDir });
      const ended = await next.endLeftovers();
      expect(ended).toHaveLength(1);
      expect(ended[0]).toMatch(/^cam_1-\d+$/);
      await waitUntil(() => !alive(leftover.pid), 5_000, 'the leftover ending');
      expect(alive(foreign.pid!)).toBe(true);
      expect(readdirSync(runDir)).toEqual([]);
    } finally {
      foreign.kill('SIGKILL');
    }
  });
});
