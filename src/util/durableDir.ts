import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `path` and any missing parents with exactly `mode`, and makes each new directory entry
 * durable. A directory's entry lives in its parent, and ext4 may lose a fresh entry on a power
 * cut even when files inside it were fsynced: the signed journal could survive while keys/ did
 * not. So the parent of every created directory is fsynced before this returns. Directories that
 * already existed keep their mode (the data directory may come from systemd's StateDirectory=).
 */
export function mkdirDurable(path: string, mode: number): void {
  const target = resolve(path);
  const firstCreated = mkdirSync(target, { recursive: true, mode });
  if (firstCreated === undefined) return;
  const created: string[] = [];
  for (let directory = target; ; directory = dirname(directory)) {
    created.unshift(directory);
    if (directory === resolve(firstCreated)) break;
  }
  // mkdir's mode passes through the umask; the caller's mode is what the directory must have.
  for (const directory of created) chmodSync(directory, mode);
  for (const directory of created) fsyncDirectory(dirname(directory));
}

/** Makes the entries of `directory` (files created, renamed or removed in it) durable. */
export function fsyncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
