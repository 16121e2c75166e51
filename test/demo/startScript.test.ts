import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { expectCenterHoldsJournal, processesNaming, signIns, spawnDemo } from './demoProcess.js';

describe('bash scripts/start.sh', () => {
  it('brings the demo up on the installed tree: the county center stores the room’s sign-ins', async () => {
    const demo = spawnDemo('bash', ['scripts/start.sh', '--headless', '--duration', '90']);
    try {
      const { code } = await demo.exited;
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
