import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { endLeftovers, spawnGroupLeader, writePidFile } from '../../src/util/processGroup.js';
import { makeTempDir } from '../helpers/cli.js';

function running(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!condition() && Date.now() < until) await sleep(20);
  return condition();
}

describe('process group leaders and their pid files', () => {
  it('runs the command as a group leader with a pid file that goes when it exits', async () => {
    const temp = makeTempDir('room-agent-group-');
    try {
      const leader = await spawnGroupLeader({
        name: 'sleeper',
        command: 'sleep',
        args: ['30'],
        runDir: temp.dir,
        stdio: 'ignore',
      });
      // Own group: the process group id (field 5 of stat) is its own pid.
      const stat = readFileSync(`/proc/${leader.pid}/stat`, 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])).toBe(leader.pid);
      const [pidLine, fingerprint] = readFileSync(join(temp.dir, 'sleeper.pid'), 'utf8').split('\n');
      expect(Number(pidLine)).toBe(leader.pid);
      expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
      // Once setpriv has handed over, the command line is the command's own.
      expect(
        await waitUntil(() => readFileSync(`/proc/${leader.pid}/cmdline`, 'utf8') === 'sleep\x0030\x00', 5_000),
      ).toBe(true);
      leader.child.kill('SIGKILL');
      await leader.exited;
      expect(readdirSync(temp.dir)).toEqual([]);
    } finally {
      temp.cleanup();
    }
  });

  it('reports the exit code of the command, not of the wrapper', async () => {
    const temp = makeTempDir('room-agent-group-');
    try {
      const leader = await spawnGroupLeader({
        name: 'x',
        command: 'false',
        args: [],
        runDir: temp.dir,
        stdio: 'ignore',
      });
      expect(await leader.exited).toEqual({ code: 1, signal: null });
    } finally {
      temp.cleanup();
    }
  });

  it('ends only leftovers whose command line is the one recorded, and clears every pid file', async () => {
    const temp = makeTempDir('room-agent-group-');
    const argv = ['sleep', '31'];
    const leftover = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore' });
    const reused = spawn('sleep', ['32'], { detached: true, stdio: 'ignore' });
    try {
      await waitUntil(() => running(leftover.pid!) && running(reused.pid!), 5_000);
      writePidFile(temp.dir, 'leftover', leftover.pid!, argv);
      writePidFile(temp.dir, 'reused', reused.pid!, ['ffmpeg', '-i', 'rtsp://cam/1']);
      writeFileSync(join(temp.dir, 'garbage.pid'), 'not a pid\n');
      writeFileSync(join(temp.dir, 'bare.pid'), `${reused.pid}\n`);
      expect(await endLeftovers(temp.dir)).toEqual(['leftover']);
      expect(await waitUntil(() => !running(leftover.pid!), 5_000)).toBe(true);
      expect(running(reused.pid!)).toBe(true);
      expect(readdirSync(temp.dir)).toEqual([]);
      expect(await endLeftovers(join(temp.dir, 'absent'))).toEqual([]);
    } finally {
      leftover.kill('SIGKILL');
      reused.kill('SIGKILL');
      temp.cleanup();
    }
  });
});
