import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock } from '../../src/daemon/instanceLock.js';
import { makeTempDir, REPO_ROOT } from '../helpers/cli.js';

const LOCK_MODULE = join(REPO_ROOT, 'dist/src/daemon/instanceLock.js');

describe('the instance lock of a data directory', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.cleanup());

  it('is held by one taker at a time, under any spelling of the directory, until released', async () => {
    const dataDir = join(temp.dir, 'data');
    mkdirSync(dataDir);
    symlinkSync(dataDir, join(temp.dir, 'alias'));

    const first = await acquireInstanceLock(dataDir);
    expect(first).toBeDefined();
    expect(await acquireInstanceLock(join(temp.dir, 'alias'))).toBeUndefined();
    expect(await acquireInstanceLock(`${temp.dir}/./data/`)).toBeUndefined();
    // Another directory has a lock of its own.
    const other = await acquireInstanceLock(join(temp.dir, 'other-data'));
    expect(other).toBeDefined();

    await first!.release();
    const again = await acquireInstanceLock(join(temp.dir, 'alias'));
    expect(again).toBeDefined();
    await again!.release();
    await other!.release();
  });

  it('is freed by the kernel when its holder is killed with SIGKILL', async () => {
    const dataDir = join(temp.dir, 'data');
    const script = `const { acquireInstanceLock } = await import(${JSON.stringify(LOCK_MODULE)});
      const lock = await acquireInstanceLock(${JSON.stringify(dataDir)});
      console.log(lock ? 'held' : 'busy');
      setInterval(() => {}, 1000);`;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [output] = (await once(holder.stdout, 'data')) as [Buffer];
    expect(output.toString()).toBe('held\n');
    expect(await acquireInstanceLock(dataDir)).toBeUndefined();

    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const lock = await acquireInstanceLock(dataDir);
    expect(lock).toBeDefined();
    await lock!.release();
  });
});
