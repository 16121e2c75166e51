import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT } from '../helpers/cli.js';

/** A parent that starts an ffmpeg through the compiled runner, prints its pid and waits to be killed. */
const PARENT = `
const { FfmpegRunner } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/src/cameras/ffmpeg/runner.js')).href)});
const runner = new FfmpegRunner({ ffmpegPath: 'ffmpeg', runDir: process.argv[1] });
const run = await runner.start({ name: 'cam', args: ['-nostats', '-progress', 'pipe:1', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-f', 'null', '-'] });
console.log(run.pid);
setInterval(() => {}, 1000);
`;

function gone(pid: number): boolean {
  return !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
}

describe('no ffmpeg outlives the agent', () => {
  it('ends within 5 s of its parent being SIGKILLed', async () => {
    const temp = makeTempDir('room-agent-ffmpeg-parent-');
    const parent = spawn(process.execPath, ['--input-type=module', '-e', PARENT, join(temp.dir, 'run')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
        parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before starting ffmpeg`)));
      });
      expect(gone(pid)).toBe(false);
      const ffmpegCommand = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      expect(ffmpegCommand.startsWith('ffmpeg\0')).toBe(true);
      parent.kill('SIGKILL');
      const until = Date.now() + 5_000;
      while (!gone(pid) && Date.now() < until) await sleep(50);
      expect(gone(pid)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      temp.cleanup();
    }
  });
});
