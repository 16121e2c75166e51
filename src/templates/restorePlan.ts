import { z } from 'zod';
import { fingerAtSlot, fingerOfMember } from '../members/fingerRows.js';
import { findMember } from '../members/store.js';
import type { Db } from '../store/database.js';
import { openTemplate } from './backupCipher.js';
import type { FingerBackup } from './backupRows.js';

/**
 * Where the templates come from: the device's own backups, a backup file, or the county center
 * (escrowed templates it opened and sent, sealed here under the device's key on arrival).
 */
export type RestoreSource = { kind: 'database' | 'file' | 'center'; backups: FingerBackup[] };

export interface RestoreEntry {
  backup: FingerBackup;
  template: Buffer;
  /** A file or center entry the database has no fingers row for: the restore records it. */
  record: boolean;
}

/** Why a file entry is not written back: its member was removed, or the database gives its slot or finger to another. */
export const skipReasonSchema = z.enum(['not-on-roster', 'slot-taken', 'finger-elsewhere']);

export interface SkippedEntry {
  slot: number;
  memberId: string;
  reason: z.infer<typeof skipReasonSchema>;
}

/**
 * What a restore will write. The database's own backups always are. A backup file (or the
 * center's list) may be older than the roster: an entry of a member removed since is never written back (their templates
 * were deleted for good), nor one whose slot or finger the database now gives to someone else.
 * Every template is decrypted here, before the module is touched.
 */
export function planRestore(
  db: Db,
  source: RestoreSource,
  key: Buffer,
): { entries: RestoreEntry[]; skipped: SkippedEntry[] } {
  const entries: RestoreEntry[] = [];
  const skipped: SkippedEntry[] = [];
  for (const backup of source.backups) {
    const reason = source.kind === 'database' ? undefined : conflict(db, backup);
    if (reason !== undefined) {
      skipped.push({ slot: backup.slot, memberId: backup.memberId, reason });
      continue;
    }
    const template = openTemplate(key, backup.sealed, backup);
    entries.push({
      backup,
      template,
      record: source.kind !== 'database' && fingerAtSlot(db, backup.slot) === undefined,
    });
  }
  return { entries, skipped };
}

function conflict(db: Db, backup: FingerBackup): SkippedEntry['reason'] | undefined {
  if (findMember(db, backup.memberId) === undefined) return 'not-on-roster';
  const atSlot = fingerAtSlot(db, backup.slot);
  if (atSlot !== undefined && (atSlot.memberId !== backup.memberId || atSlot.finger !== backup.finger))
    return 'slot-taken';
  const sameFinger = fingerOfMember(db, backup.memberId, backup.finger);
  if (sameFinger !== undefined && sameFinger.slot !== backup.slot) return 'finger-elsewhere';
  return undefined;
}
