import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A small tmpfs of its own for a data directory (tests run as root, in CI too). `unmount` is safe
 * to call twice and after a failed mount: afterAll calls it whatever happened.
 */
export function mountTmpfs(dir: string, sizeBytes: number): { remount(mode: 'ro' | 'rw'): void; unmount(): void } {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0750`, 'tmpfs', dir]);
  let mounted = true;
  return {
    remount(mode) {
      execFileSync('mount', ['-o', `remount,${mode}`, dir]);
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      // Lazy: a daemon a failed test left running must not keep the mount (and the machine) busy.
      execFileSync('umount', ['-l', dir]);
    },
  };
}

const FILLER = 'filler';

function writeUntilFull(fd: number, chunk: Buffer): void {
  for (;;) {
    try {
      writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
}

/**
 * Fills the file system under `dir` to the last byte: a filler file in shrinking chunks, then
 * one-byte files until even those fail. Returns the names written, for `freeFiller`.
 */
export function fillToLastByte(dir: string): void {
  const fillerDir = join(dir, FILLER);
  mkdirSync(fillerDir, { recursive: true });
  const fd = openSync(join(fillerDir, 'big'), 'w');
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1]) writeUntilFull(fd, Buffer.alloc(size, 0x55));
  } finally {
    closeSync(fd);
  }
  for (let index = 0; ; index++) {
    try {
      writeFileSync(join(fillerDir, `small-${index}`), 'x');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
}

/** Fills the file system under `dir` until about `leftBytes` are free (a filler file freeFiller deletes). */
export function fillLeaving(dir: string, leftBytes: number): void {
  const fillerDir = join(dir, FILLER);
  mkdirSync(fillerDir, { recursive: true });
  const stats = statfsSync(dir);
  let toWrite = stats.bavail * stats.bsize - leftBytes;
  const chunk = Buffer.alloc(1 << 20, 0x55);
  const fd = openSync(join(fillerDir, `filler-${readdirSync(fillerDir).length}`), 'w');
  try {
    for (; toWrite > 0; toWrite -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, toWrite));
  } finally {
    closeSync(fd);
  }
}

/** Deletes what fillToLastByte and fillLeaving wrote. */
export function freeFiller(dir: string): number {
  const fillerDir = join(dir, FILLER);
  const count = readdirSync(fillerDir).length;
  rmSync(fillerDir, { recursive: true, force: true });
  return count;
}
