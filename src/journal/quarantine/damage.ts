import { ErrorCode, isAgentError } from '../../errors.js';
import { classifyStorageFault } from '../../store/sqliteFault.js';

/**
 * Whether the journal file is damaged in a way only a new file mends: SQLite reports a corrupt
 * page or a file that is no database (SQLITE_CORRUPT, SQLITE_NOTADB), or a row every journal
 * holds from its first migration on is missing. A full disk or a read-only file system is never
 * damage: the file is whole, and the condition would outlive any new file.
 */
export function isJournalDamage(error: unknown): boolean {
  return classifyStorageFault(error) === 'corrupt' || isAgentError(error, ErrorCode.JournalDamaged);
}
