import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Expensive test inputs (a Node release fetched with npm, Debian packages built from the tree) are
 * made once and shared by every test file of a run, and by later runs while the key is unchanged.
 * Vitest runs files in several processes at once, so the first caller builds under a lock folder
 * (mkdir is atomic) and the others wait for it; a lock whose owner died is taken over.
 */
export const BUILD_CACHE = join(tmpdir(), 'room-agent-test-builds');

const POLL_MS = 250;

function ownerAlive(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // A lock folder just made has no pid file yet: its owner is alive.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && existsSync(lock)) return true;
    return false;
  }
}

/**
 * The folder `BUILD_CACHE/<name>-<key>`, filled by `build(folder)` unless an earlier call did.
 * `build` writes into the folder it is given, which is renamed into place only when it succeeds.
 */
export async function buildOnce(
  name: string,
  key: string,
  build: (folder: string) => Promise<void>,
  timeoutMs = 600_000,
): Promise<string> {
  mkdirSync(BUILD_CACHE, { recursive: true });
  const folder = join(BUILD_CACHE, `${name}-${key}`);
  const lock = `${folder}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(folder)) return folder;
    try {
      mkdirSync(lock);
    } catch {
      if (!ownerAlive(lock)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline)
        throw new Error(`${name}: still being built by another test after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      if (existsSync(folder)) return folder;
      const partial = `${folder}.partial-${process.pid}`;
      rmSync(partial, { recursive: true, force: true });
      mkdirSync(partial);
      try {
        await build(partial);
      } catch (error) {
        rmSync(partial, { recursive: true, force: true });
        throw error;
      }
      renameSync(partial, folder);
      return folder;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
