import Database from 'better-sqlite3';
import { AgentError, ErrorCode } from '../errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

/** Waits this long for another process (daemon vs. CLI) to release the write lock. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the agent's one SQLite file. WAL keeps readers (the CLI) off the writer's back;
 * synchronous=FULL because better-sqlite3's WAL default (NORMAL) can lose a committed sign-in on
 * power failure, and a sign-in reported as accepted must be on disk.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    throw new AgentError(
      ErrorCode.JournalOpen,
      `cannot open the journal database ${file}: ${(error as Error).message} (check that the directory exists and is writable)`,
      { file },
      { cause: error },
    );
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new AgentError(ErrorCode.JournalOpen, `${file}: SQLite refused WAL mode (got "${String(mode)}"); is the file system read-only or a network mount?`, { file });
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    applyMigrations(db, file, migrations);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof AgentError) throw error;
    throw new AgentError(ErrorCode.JournalOpen, `cannot open the journal database ${file}: ${(error as Error).message}`, { file }, { cause: error });
  }
}

function userVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Each migration and its user_version bump commit together; the version is re-read inside the
 * write lock so that the daemon and a CLI command starting at once never apply one twice.
 */
function applyMigrations(db: Db, file: string, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const found = userVersion(db);
  if (found > latest) {
    throw new AgentError(
      ErrorCode.JournalSchema,
      `${file} has schema version ${found}, newer than this room-agent understands (${latest}); install the newer room-agent again`,
      { file, found, latest },
    );
  }
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
