import { closeSync, fsyncSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AgentError, ErrorCode, isAgentError } from '../errors.js';
import { fsyncDirectory } from './durableDir.js';

/**
 * Files the agent rewrites (the configuration, the remote override, its markers, the device key)
 * must never be seen half-written after a power cut, which in a village room is routine. The
 * pattern: write a temporary file in the same directory, fsync it, rename it over the target, then
 * fsync the directory so the rename itself is on disk.
 *
 * Failures are AgentError StorageWrite naming the file and the step; the errno error is the cause
 * (callers that word errno codes for a technician read it from there, see errnoCause).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = openSync(temporary, 'w', mode);
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw storageError('write', path, error);
  }
  syncDirectory(path);
}

/** Removes a file durably; a file that is already gone is not an error. */
export function removeFileDurably(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw storageError('remove', path, error);
  }
  syncDirectory(path);
}

/** The errno error behind a StorageWrite (or the error itself when it is one), else undefined. */
export function errnoCause(error: unknown): NodeJS.ErrnoException | undefined {
  const inner = isStorageError(error) ? error.cause : error;
  return inner instanceof Error && typeof (inner as NodeJS.ErrnoException).code === 'string' ? inner : undefined;
}

function isStorageError(error: unknown): error is AgentError {
  return isAgentError(error, ErrorCode.StorageWrite);
}

/** The rename is only durable once the directory entry is: a failure here is a failed write too. */
function syncDirectory(path: string): void {
  try {
    fsyncDirectory(dirname(path));
  } catch (error) {
    throw storageError('sync the directory of', path, error);
  }
}

function storageError(step: 'write' | 'remove' | 'sync the directory of', path: string, error: unknown): AgentError {
  const errno = (error as NodeJS.ErrnoException).code;
  return new AgentError(
    ErrorCode.StorageWrite,
    `cannot ${step} ${path}: ${(error as Error).message}`,
    { path, step, ...(errno !== undefined && { errno }) },
    { cause: error },
  );
}
