import Database from 'better-sqlite3';
import { closeSync, existsSync, fchmodSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { fsyncDirectory } from '../util/durableDir.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { openReadOnlyCopy } from './readOnlyCopy.js';
import { classifyStorageFault } from './sqliteFault.js';
import { storageError, storageFaultOf } from './storageError.js';

export type Db = Database.Database;

/**
 * How a process may use the file. Only `room-agent run` creates it: a read-only CLI command run as
 * root against a mistyped data directory must not leave a root-owned journal behind. 'write' needs
 * the file to exist; 'read' also leaves it exactly as it is (no migration, no pragma change).
 */
export type DatabaseAccess = 'create' | 'write' | 'read';

export interface OpenDatabaseOptions {
  access?: DatabaseAccess;
  migrations?: readonly Migration[];
}

/** Waits this long for another process (daemon vs. CLI) to release the write lock. */
const BUSY_TIMEOUT_MS = 5000;

/** The journal holds member names and sign-ins: its owner writes, its group may read, nobody else. */
const DATABASE_FILE_MODE = 0o640;

const t = defineMessages({
  missing: {
    zh: '{file} 处没有日志：请用 --data-dir 或配置中的 device.dataDir 指定数据目录（日志由 room-agent run 首次启动时创建）',
    en: 'no journal at {file}: point --data-dir or device.dataDir at the data directory (room-agent run creates the journal on its first start)',
  },
  older: {
    zh: '{file} 的结构版本 {found} 旧于本程序的版本 {latest}：请先启动一次守护进程（room-agent run）完成升级，再重试',
    en: "{file} has schema version {found}, older than this room-agent's ({latest}); start the daemon once (room-agent run) to upgrade it, then try again",
  },
});

/**
 * Opens the agent's one SQLite file. WAL keeps readers (the CLI) off the writer's back;
 * synchronous=FULL because better-sqlite3's WAL default (NORMAL) can lose a committed sign-in on
 * power failure, and a sign-in reported as accepted must be on disk. A full or read-only file
 * system is reported as StorageFull or StorageReadOnly, with the fix in words.
 */
export function openDatabase(
  file: string,
  { access = 'write', migrations = MIGRATIONS }: OpenDatabaseOptions = {},
): Db {
  try {
    return openChecked(file, access, migrations);
  } catch (error) {
    throw storageError(error, dirname(file)) ?? error;
  }
}

function openChecked(file: string, access: DatabaseAccess, migrations: readonly Migration[]): Db {
  if (access === 'create') createDatabaseFile(file);
  else if (!existsSync(file)) throw new AgentError(ErrorCode.JournalMissing, t('missing', { file }), { file });
  if (access === 'read') return openReader(file, migrations);
  try {
    return openWriter(file, migrations, false);
  } catch (error) {
    // SQLite cannot size a new -shm index on a full disk; in exclusive locking mode it keeps the
    // index in memory instead, so the daemon still starts and writes again once space is freed.
    if (classifyStorageFault(error) !== 'full') throw error;
    return openWriter(file, migrations, true);
  }
}

function connect(file: string, readonly: boolean): Db {
  try {
    return new Database(file, { readonly, fileMustExist: true });
  } catch (error) {
    throw new AgentError(
      ErrorCode.JournalOpen,
      `cannot open the journal database ${file}: ${(error as Error).message} (check that the file is readable${readonly ? '' : ' and writable'})`,
      { file },
      { cause: error },
    );
  }
}

/** A reader on a read-only mount, where SQLite cannot open the WAL index, reads a copy in memory. */
function openReader(file: string, migrations: readonly Migration[]): Db {
  const db = connect(file, true);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    requireCurrentSchema(db, file, migrations);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof AgentError || storageFaultOf(error, dirname(file)) !== 'read-only')
      throw openFailure(error, file);
    const copy = openReadOnlyCopy(file, dirname(file), error);
    try {
      requireCurrentSchema(copy, file, migrations);
      return copy;
    } catch (copyError) {
      copy.close();
      throw openFailure(copyError, file);
    }
  }
}

function openWriter(file: string, migrations: readonly Migration[], exclusive: boolean): Db {
  const db = connect(file, false);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (exclusive) db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new AgentError(
        ErrorCode.JournalOpen,
        `${file}: SQLite refused WAL mode (got "${String(mode)}"); is the file system read-only or a network mount?`,
        { file },
      );
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, file, migrations);
    return db;
  } catch (error) {
    db.close();
    throw openFailure(error, file);
  }
}

function openFailure(error: unknown, file: string): AgentError {
  if (error instanceof AgentError) return error;
  return new AgentError(
    ErrorCode.JournalOpen,
    `cannot open the journal database ${file}: ${(error as Error).message}`,
    { file },
    { cause: error },
  );
}

/**
 * Creates an empty file (SQLite takes it as an empty database) with the journal's mode, whatever
 * the umask, and makes its directory entry durable. SQLite gives the -wal and -shm files the
 * mode of the database file.
 */
function createDatabaseFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', DATABASE_FILE_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A read-only file system answers EROFS even for a file that exists: opening it then says what is wrong.
    if (code === 'EEXIST' || (code === 'EROFS' && existsSync(file))) return;
    throw new AgentError(
      ErrorCode.JournalOpen,
      `cannot create the journal database ${file}: ${(error as Error).message} (check that the directory exists and is writable)`,
      { file },
      { cause: error },
    );
  }
  try {
    fchmodSync(fd, DATABASE_FILE_MODE);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDirectory(dirname(file));
}

function userVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function refuseNewerSchema(file: string, found: number, latest: number): void {
  if (found > latest) {
    throw new AgentError(
      ErrorCode.JournalSchema,
      `${file} has schema version ${found}, newer than this room-agent understands (${latest}); install the newer room-agent again`,
      { file, found, latest },
    );
  }
}

/** A reader cannot migrate, and reading an old schema with new queries would fail obscurely. */
function requireCurrentSchema(db: Db, file: string, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const found = userVersion(db);
  refuseNewerSchema(file, found, latest);
  if (found < latest)
    throw new AgentError(ErrorCode.JournalSchema, t('older', { file, found, latest }), { file, found, latest });
}

/**
 * Each migration and its user_version bump commit together; the version is re-read inside the
 * write lock so that the daemon and a CLI command starting at once never apply one twice.
 */
function applyMigrations(db: Db, file: string, migrations: readonly Migration[]): void {
  refuseNewerSchema(file, userVersion(db), migrations.at(-1)?.version ?? 0);
  for (const migration of migrations) {
    db.transaction(() => {
      if (userVersion(db) >= migration.version) return;
      try {
        db.exec(migration.sql);
      } catch (error) {
        throw new AgentError(
          ErrorCode.JournalSchema,
          `${file}: migration ${migration.version} (${migration.description}) failed: ${(error as Error).message}`,
          { file, version: migration.version },
          { cause: error },
        );
      }
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
