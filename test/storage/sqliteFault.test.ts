import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentError, ErrorCode } from '../../src/errors.js';
import { classifyStorageFault } from '../../src/store/sqliteFault.js';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-fault-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error `fn` throws; fails the test when it throws nothing. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

function coded(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifying a storage fault', () => {
  it('names a full disk from SQLite and from the file system', () => {
    expect(classifyStorageFault(coded('SQLITE_FULL', 'database or disk is full'))).toBe('full');
    expect(classifyStorageFault(coded('SQLITE_IOERR_SHMSIZE'))).toBe('full');
    expect(classifyStorageFault(coded('ENOSPC'))).toBe('full');
    expect(classifyStorageFault(coded('EDQUOT'))).toBe('full');
  });

  it('names a read-only file system, and a write to a database SQLite opened read-only', () => {
    const file = join(dir, 'ro.sqlite');
    new Database(file).exec('CREATE TABLE t (x)');
    const reader = new Database(file, { readonly: true });
    const error = thrownBy(() => reader.exec('INSERT INTO t VALUES (1)'));
    reader.close();
    expect(error.message).toMatch(/readonly/);
    expect(classifyStorageFault(error)).toBe('read-only');
    expect(classifyStorageFault(coded('EROFS'))).toBe('read-only');
  });

  it('takes "unable to open" and I/O errors as read-only only when the mount is', () => {
    const cantOpen = coded('SQLITE_CANTOPEN', 'unable to open database file');
    expect(classifyStorageFault(cantOpen)).toBe('other');
    expect(classifyStorageFault(cantOpen, { readOnlyMount: true })).toBe('read-only');
    expect(classifyStorageFault(coded('SQLITE_IOERR_WRITE'), { readOnlyMount: true })).toBe('read-only');
    expect(classifyStorageFault(coded('SQLITE_IOERR_WRITE'))).toBe('other');
  });

  it('names damage only for a file that is not a sound database', () => {
    const file = join(dir, 'garbage.sqlite');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const db = new Database(file);
    const error = thrownBy(() => db.prepare('SELECT * FROM sqlite_master').all());
    db.close();
    expect(classifyStorageFault(error)).toBe('corrupt');
    expect(classifyStorageFault(coded('SQLITE_CORRUPT_INDEX'))).toBe('corrupt');
    // A full or read-only card is never damage, whatever the mount says.
    expect(classifyStorageFault(coded('SQLITE_FULL'), { readOnlyMount: true })).toBe('full');
  });

  it('follows the cause chain of a wrapped error', () => {
    const wrapped = new AgentError(ErrorCode.JournalOpen, 'cannot open', {}, { cause: coded('SQLITE_FULL') });
    expect(classifyStorageFault(wrapped)).toBe('full');
    expect(classifyStorageFault(new Error('plain'))).toBe('other');
    expect(classifyStorageFault('not an error')).toBe('other');
  });
});
