import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { APPENDER } from './durability.js';

const haveStrace = spawnSync('strace', ['-V']).status === 0;

/** Index of the first fsync of `directory` that follows line `after` (open, then fsync of that fd); -1 if none. */
function directorySyncAfter(calls: string[], after: number, directory: string): number {
  const opened = calls.findIndex(
    (line, index) => index > after && line.includes(`openat(AT_FDCWD, "${directory}", O_RDONLY`),
  );
  const fd = /= (\d+)$/.exec(calls[opened] ?? '')?.[1];
  if (fd === undefined) return -1;
  return calls.findIndex((line, index) => index > opened && line.includes(`fsync(${fd})`));
}

/**
 * A new directory's entry lives in its parent: after a power cut it may be gone although the files
 * in it were fsynced (the signed journal surviving its keys/). Under strace, the parent of every
 * directory the journal creates, and the directory of the new journal file, is fsynced before the
 * journal is open.
 */
describe.skipIf(!haveStrace)('the directories the journal creates', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('are durable before the journal is open: each parent is fsynced after its mkdir', () => {
    const dataDir = join(temp.dir, 'var', 'room-agent');
    const trace = join(temp.dir, 'trace');
    const result = spawnSync(
      'strace',
      [
        '-f',
        '-o',
        trace,
        '-e',
        'trace=mkdir,mkdirat,openat,fsync,fdatasync,write',
        process.execPath,
        APPENDER,
        dataDir,
        '1',
      ],
      { encoding: 'utf8' },
    );
    expect(result.stdout).toBe('OPENED\nAPPENDED 1\n');
    const calls = readFileSync(trace, 'utf8').split('\n');
    const opened = calls.findIndex((line) => line.includes('write(1, "OPENED\\n"'));
    expect(opened).toBeGreaterThan(0);

    for (const directory of [join(temp.dir, 'var'), dataDir, join(dataDir, 'keys')]) {
      const made = calls.findIndex((line) => new RegExp(`mkdir(at)?\\(.*"${directory}", 07\\d\\d\\) = 0`).test(line));
      expect(made, `mkdir ${directory}`).toBeGreaterThanOrEqual(0);
      const synced = directorySyncAfter(calls, made, dirname(directory));
      expect(synced, `fsync of ${dirname(directory)} after mkdir ${directory}`).toBeGreaterThan(made);
      expect(synced).toBeLessThan(opened);
    }
    const created = calls.findIndex((line) =>
      line.includes(`"${join(dataDir, 'journal.sqlite')}", O_WRONLY|O_CREAT|O_EXCL`),
    );
    expect(created).toBeGreaterThanOrEqual(0);
    const synced = directorySyncAfter(calls, created, dataDir);
    expect(synced).toBeGreaterThan(created);
    expect(synced).toBeLessThan(opened);
  });
});
