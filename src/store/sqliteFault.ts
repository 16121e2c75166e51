/**
 * What a failed SQLite or file-system operation says about the storage under it. Only 'corrupt'
 * is damage to the file: a full card or one the kernel remounted read-only leaves every byte
 * written so far intact, so neither may ever lead to a journal being set aside as damaged.
 */
export type StorageFault = 'full' | 'read-only' | 'corrupt' | 'other';

export interface FaultContext {
  /** The file's directory refuses writes (EROFS): SQLite then reports opens and I/O generically. */
  readOnlyMount?: boolean | undefined;
}

const FULL_ERRNOS = new Set(['ENOSPC', 'EDQUOT']);

/**
 * Classifies `error`, following its `cause` chain (an AgentError wrapping SQLite's error). SQLite
 * names a full disk SQLITE_FULL, but a wal-index (-shm) it cannot extend as SQLITE_IOERR_SHMSIZE;
 * on a read-only mount it says "unable to open database file" (SQLITE_CANTOPEN) or a generic
 * I/O error, which only the mount's state tells apart from a failing card.
 */
export function classifyStorageFault(error: unknown, context: FaultContext = {}): StorageFault {
  const seen = new Set<unknown>();
  let fallback: StorageFault = 'other';
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    const fault = classifyOne(current, context);
    if (fault === 'full' || fault === 'read-only' || fault === 'corrupt') return fault;
    fallback = fault;
  }
  return fallback;
}

function classifyOne(error: Error, { readOnlyMount = false }: FaultContext): StorageFault {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return 'other';
  if (FULL_ERRNOS.has(code) || code.startsWith('SQLITE_FULL') || code === 'SQLITE_IOERR_SHMSIZE') return 'full';
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return 'read-only';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  if (readOnlyMount && (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR'))) return 'read-only';
  return 'other';
}
