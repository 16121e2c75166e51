/**
 * The data directory's storage as the agent sees it:
 * - ok: free space and inodes above the reserve;
 * - low: below storage.journalReserveBytes (or few inodes left): optional writes stop, so that
 *   what is left keeps the journal writable;
 * - disk-full: a write failed for want of space (SQLITE_FULL, ENOSPC), or none is left;
 * - read-only: the file system refuses writes (EROFS: the kernel's answer to a failing card).
 */
export const STORAGE_STATES = ['ok', 'low', 'disk-full', 'read-only'] as const;
export type StorageState = (typeof STORAGE_STATES)[number];

/**
 * What code with optional writes (meeting photos, a later recording feature) asks before writing
 * to the data directory, and what pruning asks before freeing space early.
 */
export interface StorageGuard {
  /** Why optional media must not be written now (English, for the journal and logs); undefined when it may. */
  mediaRefusal(): string | undefined;
  /** True when acknowledged entries may go before their retention: the journal needs the room. */
  pruneEarly(): boolean;
}

/** For code run without a daemon's monitor (tests, standalone tools): every write may go ahead. */
export const unguardedStorage: StorageGuard = {
  mediaRefusal: () => undefined,
  pruneEarly: () => false,
};

/** The English reason a guard gives for refusing media in `state`, undefined when the state allows it. */
export function mediaRefusalFor(state: StorageState): string | undefined {
  switch (state) {
    case 'ok':
      return undefined;
    case 'low':
      return 'storage below its reserve (storage.journalReserveBytes): media are not written, to keep the journal writable';
    case 'disk-full':
      return 'storage full: media are not written';
    case 'read-only':
      return 'storage read-only: media cannot be written';
  }
}
