import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { removeFileDurably, writeFileAtomic } from '../../src/util/atomicWrite.js';
import { makeTempDir, REPO_ROOT } from '../helpers/cli.js';
import { objectContaining, stringMatching } from '../helpers/matchers.js';

/**
 * The write must survive a power cut: under strace, the temporary file is fsynced before it is
 * renamed over the target, and the directory is fsynced after the rename. Run in a child
 * process on the compiled module, as the daemon runs it.
 */
const temp = makeTempDir();
afterAll(temp.cleanup);

const MODULE = join(REPO_ROOT, 'dist/src/util/atomicWrite.js');

function writeUnderStrace(target: string, content: string): string[] {
  const log = join(temp.dir, 'strace.log');
  const script = `const { writeFileAtomic } = await import(${JSON.stringify(MODULE)}); writeFileAtomic(${JSON.stringify(target)}, ${JSON.stringify(content)}, 0o600);`;
  const result = spawnSync(
    'strace',
    [
      '-f',
      '-o',
      log,
      '-e',
      'trace=openat,fsync,fdatasync,rename,renameat,renameat2',
      process.execPath,
      '--input-type=module',
      '-e',
      script,
    ],
    {
      encoding: 'utf8',
    },
  );
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(log, 'utf8').split('\n');
}

describe('writeFileAtomic', () => {
  it('fsyncs the temporary file, renames it over the target, then fsyncs the directory', () => {
    const target = join(temp.dir, 'override.yaml');
    writeFileSync(target, 'old\n');

    const calls = writeUnderStrace(target, 'new\n');

    const opened = calls.findIndex((line) => /openat\(.*\.override\.yaml\.\d+\.tmp", O_WRONLY\|O_CREAT/.test(line));
    const fileFd = /= (\d+)$/.exec(calls[opened] ?? '')?.[1];
    const renamed = calls.findIndex((line) =>
      /rename\w*\(.*\.override\.yaml\.\d+\.tmp", .*override\.yaml"\) = 0/.test(line),
    );
    const fileSynced = calls.findIndex((line, index) => index > opened && line.includes(`fsync(${fileFd})`));
    const dirOpened = calls.findIndex((line, index) => index > renamed && line.includes(`"${temp.dir}", O_RDONLY`));
    const dirFd = /= (\d+)$/.exec(calls[dirOpened] ?? '')?.[1];
    const dirSynced = calls.findIndex((line, index) => index > dirOpened && line.includes(`fsync(${dirFd})`));

    expect(opened).toBeGreaterThanOrEqual(0);
    expect(fileSynced).toBeGreaterThan(opened);
    expect(renamed).toBeGreaterThan(fileSynced);
    expect(dirOpened).toBeGreaterThan(renamed);
    expect(dirSynced).toBeGreaterThan(dirOpened);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(temp.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('fails with StorageWrite naming the file and the errno, leaving no temporary file behind', () => {
    const target = join(temp.dir, 'no-such-directory', 'override.yaml');
    expect(() => writeFileAtomic(target, 'x')).toThrow(
      objectContaining({
        code: ErrorCode.StorageWrite,
        message: stringMatching(new RegExp(`^cannot write ${target}: ENOENT`)),
        context: { path: target, step: 'write', errno: 'ENOENT' },
      }),
    );
    // A directory where the file should be: removing it fails the same way.
    expect(() => removeFileDurably(temp.dir)).toThrow(
      objectContaining({
        code: ErrorCode.StorageWrite,
        context: objectContaining({ path: temp.dir, step: 'remove' }),
      }),
    );
    expect(readdirSync(temp.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
