import type { Db } from './database.js';

/**
 * Leaves the exclusive locking mode that opening on a full disk needed (database.ts), once the
 * disk has room for the -shm index again, so that other processes (`journal verify`, which reads
 * the file directly) can read beside the daemon. SQLite leaves exclusive mode under WAL only by
 * leaving WAL: the WAL is folded into the file, then WAL is entered again in normal mode. True
 * when the mode changed; a failure (the disk filled again) leaves the connection as it was.
 */
export function shareExclusiveDatabase(db: Db): boolean {
  if (db.readonly || db.inTransaction || db.pragma('locking_mode', { simple: true }) !== 'exclusive') return false;
  db.pragma('journal_mode = DELETE');
  try {
    db.pragma('locking_mode = NORMAL');
  } finally {
    db.pragma('journal_mode = WAL');
  }
  return db.pragma('locking_mode', { simple: true }) === 'normal';
}
