import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BoardUpdate } from '../../src/center/web/board.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { expectCenterHoldsJournal, processesNaming, signIns, spawnDemo } from './demoProcess.js';

describe('bash scripts/start.sh', () => {
  it('brings the demo up on the installed tree: the county board shows the room’s sign-ins, the center stores them', async () => {
    const demo = spawnDemo('bash', ['scripts/start.sh', '--headless', '--duration', '90']);
    try {
      // What the board's page renders, read from the address the demo prints, while the demo runs.
      let boardSignIns = 0;
      const watchBoard = (async () => {
        while (demo.child.exitCode === null && boardSignIns === 0) {
          await sleep(2_000);
          const url = /(http:\/\/\S+)/.exec(demo.stdout())?.[1];
          if (url === undefined) continue;
          // Refused only while the demo stops, and then the loop ends.
          const response = await fetch(new URL('api/board', url)).catch(() => undefined);
          if (response === undefined) continue;
          const board = (await response.json()) as BoardUpdate;
          const tile = board.rooms.find((room) => room.recent.length > 0);
          if (tile !== undefined) boardSignIns = tile.signIns.real + tile.signIns.emulated;
        }
      })();
      const { code } = await demo.exited;
      await watchBoard;
      expect(boardSignIns, 'sign-ins on the county board').toBeGreaterThan(0);
      expect(code, demo.stderr()).toBe(0);
      const dir = join(REPO_ROOT, '.demo-data');
      expect(demo.stdout()).toContain(`folder: ${dir}`);
      const { center } = expectCenterHoldsJournal(dir);
      // 90 s reach into the first round: sign-ins before and during the cut.
      expect(signIns(center).length).toBeGreaterThanOrEqual(4);
      expect(processesNaming(dir)).toEqual([]);
    } finally {
      // A test that timed out must not leave the demo running (start.sh execs it: same pid).
      if (demo.child.exitCode === null) demo.child.kill('SIGINT');
    }
  }, 240_000);
});
