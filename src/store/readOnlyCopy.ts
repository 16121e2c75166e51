import Database from 'better-sqlite3';
import { readFileSync, statSync } from 'node:fs';
import { AgentError, ErrorCode } from '../errors.js';
import { storageAdvice } from './storageError.js';

/** Offsets of the file format's write and read versions in the database header: 2 is WAL, 1 rollback. */
const WRITE_VERSION = 18;
const READ_VERSION = 19;

function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

/**
 * A read-only copy in memory of a WAL database on a read-only file system. SQLite reads a WAL
 * database only through its -shm index, which it cannot create there (and better-sqlite3 is built
 * without URI names, so `immutable=1` is not available). After a clean stop the WAL is folded into
 * the file and removed; the copy then holds everything, read as a rollback-journal database,
 * whose pages are the same. A WAL still holding entries but no -shm cannot be read this way:
 * that is refused rather than shown without its newest entries.
 */
export function openReadOnlyCopy(file: string, dir: string, cause: unknown): Database.Database {
  if (walBytes(file) > 0) {
    throw new AgentError(
      ErrorCode.StorageReadOnly,
      `${storageAdvice('read-only', dir)} (${file}-wal holds entries that cannot be read without its -shm file; copy the data directory to a writable disk and read it there)`,
      { file },
      { cause },
    );
  }
  const bytes = readFileSync(file);
  if (bytes.length > READ_VERSION && bytes[WRITE_VERSION] === 2 && bytes[READ_VERSION] === 2) {
    bytes[WRITE_VERSION] = 1;
    bytes[READ_VERSION] = 1;
  }
  return new Database(bytes, { readonly: true });
}
