import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { writePidFile } from '../../src/util/processGroup.js';
import { alive, childPids, processesNaming, runtimeLeftovers, startDemo, waitUntil } from './demoProcess.js';

/** The marker appears once the demo handles SIGINT itself (before it, node's default applies, with nothing started). */
function demoOwns(dir: string): boolean {
  return existsSync(join(dir, '.room-agent-demo'));
}

describe('stopping room-agent demo', () => {
  it('exits 0 within 5 s of a SIGINT at any moment of the story, leaving no process, pty, socket or broker', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const temp = makeTempDir('room-agent-demo-stop-');
    try {
      // One moment per run of the suite (the seed is in every message): runs on other days and
      // machines cover the rest of the story.
      const dir = join(temp.dir, 'demo');
      // From the first moments (broker starting, agent not ready) to the middle of the first round.
      const momentMs = Math.floor(random() * 50_000);
      const context = `seed ${seed}, SIGINT ${momentMs} ms after start`;
      const demo = startDemo(['--headless', '--dir', dir]);
      await waitUntil(() => demoOwns(dir), 30_000, 'the demo taking its folder');
      await sleep(momentMs);
      const pids = [...childPids(dir).values()];
      const sent = performance.now();
      demo.child.kill('SIGINT');
      const { code } = await demo.exited;
      const ms = performance.now() - sent;
      expect(code, `${context}: ${demo.stderr()}`).toBe(0);
      expect(ms, context).toBeLessThan(5_000);
      for (const pid of pids) expect(alive(pid), `${context}: pid ${pid}`).toBe(false);
      expect(processesNaming(dir), context).toEqual([]);
      expect(runtimeLeftovers(dir), context).toEqual([]);
    } finally {
      temp.cleanup();
    }
  }, 120_000);

  it('takes its children with it when SIGKILLed, and the next demo in the folder starts clean', async () => {
    const temp = makeTempDir('room-agent-demo-kill-');
    try {
      const killed = startDemo(['--headless', '--dir', temp.dir]);
      await waitUntil(() => existsSync(join(temp.dir, 'story.log')), 60_000, 'the story starting');
      const pids = [...childPids(temp.dir).values()];
      expect(pids).toHaveLength(4);
      killed.child.kill('SIGKILL');
      await killed.exited;
      // The broker, the camera, the media server and the agent die with the demo (setpriv
      // --pdeathsig), the module emulator and the agent's ffmpeg with the agent.
      await waitUntil(
        () => processesNaming(temp.dir).length === 0 && pids.every((pid) => !alive(pid)),
        5_000,
        'the children ending',
      );

      // A leftover the kernel did not end (a system without setpriv): a process naming the folder
      // behind a pid file of the demo's. The next demo ends it before it starts anything.
      const argv = [process.execPath, '-e', 'setInterval(() => {}, 1000)', join(temp.dir, 'agent')];
      const leftover = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore' });
      await waitUntil(() => existsSync(`/proc/${leftover.pid}`), 5_000, 'the leftover starting');
      writePidFile(join(temp.dir, 'run'), 'agent', leftover.pid!, argv);
      const next = startDemo(['--headless', '--duration', '5', '--dir', temp.dir]);
      const { code } = await next.exited;
      expect(code, next.stderr()).toBe(0);
      await waitUntil(() => !alive(leftover.pid!), 5_000, 'the leftover ending');
      expect(processesNaming(temp.dir)).toEqual([]);
      expect(runtimeLeftovers(temp.dir)).toEqual([]);
    } finally {
      temp.cleanup();
    }
  }, 120_000);

  it('refuses a second demo in the same folder (exit 69) and a folder it did not make (exit 73)', async () => {
    const temp = makeTempDir('room-agent-demo-refuse-');
    try {
      const dir = join(temp.dir, 'demo');
      const first = startDemo(['--headless', '--dir', dir]);
      // A first demo that ended early would never get there: its own words say why.
      await waitUntil(
        () => childPids(dir).size >= 4 || first.child.exitCode !== null,
        90_000,
        'the first demo starting',
      );
      expect(first.child.exitCode, first.stderr()).toBeNull();
      expect(childPids(dir).size).toBe(4);
      const second = startDemo(['--headless', '--dir', dir]);
      expect((await second.exited).code).toBe(69);
      expect(second.stderr()).toContain('another demo runs in');
      first.child.kill('SIGINT');
      expect((await first.exited).code).toBe(0);

      const foreign = join(temp.dir, 'photos');
      mkdirSync(foreign);
      writeFileSync(join(foreign, 'keep.jpg'), 'not the demo’s');
      const refused = startDemo(['--headless', '--dir', foreign]);
      expect((await refused.exited).code).toBe(73);
      expect(refused.stderr()).toContain('neither empty nor a demo folder');
      expect(existsSync(join(foreign, 'keep.jpg'))).toBe(true);
    } finally {
      temp.cleanup();
    }
  }, 180_000);
});
