import { statSync } from 'node:fs';
import type { Document } from 'yaml';
import { ErrorCode } from '../errors.js';
import { errnoCause, writeFileAtomic } from '../util/atomicWrite.js';
import { ConfigError } from './configError.js';
import { describeErrno, problemText } from './messages.js';
import { CONFIG_VERSION } from './schema.js';

/**
 * Moves a document from version N to N + 1 in place. It works on the YAML document rather than
 * plain data so the technician's comments survive the rewrite (document.setIn/deleteIn).
 */
export type Migration = (document: Document) => void;

/** Keyed by the version migrated from. Empty while version 1 is the only format there has been. */
export type MigrationTable = Readonly<Record<number, Migration>>;
export const MIGRATIONS: MigrationTable = {};

export interface MigrationApplied {
  from: number;
  to: number;
}

/**
 * Brings `document` to CONFIG_VERSION. Returns what was done, or undefined when nothing was to
 * do, including a missing or non-numeric version, which the schema then reports.
 */
export function migrateDocument(
  document: Document,
  migrations: MigrationTable = MIGRATIONS,
): MigrationApplied | undefined {
  const found = document.get('version');
  if (typeof found !== 'number' || !Number.isInteger(found) || found === CONFIG_VERSION) return undefined;
  if (found > CONFIG_VERSION) {
    throw new ConfigError(ErrorCode.ConfigMigration, [
      problemText('versionTooNew', { value: found, supported: CONFIG_VERSION }),
    ]);
  }
  for (let version = found; version < CONFIG_VERSION; version++) {
    const migration = migrations[version];
    if (migration === undefined) {
      throw new ConfigError(ErrorCode.ConfigMigration, [
        problemText('versionNoMigration', { value: found, supported: CONFIG_VERSION }),
      ]);
    }
    migration(document);
    document.set('version', version + 1);
  }
  return { from: found, to: CONFIG_VERSION };
}

export interface MigrationSaved extends MigrationApplied {
  /** Where the file as it was before the migration is kept. */
  backup?: string;
  /**
   * Why the migrated file could not be written back (it is then migrated again at each start):
   * the errno code for the journal, which must not depend on the daemon's locale, and the reason
   * worded for the technician.
   */
  notSaved?: { errno: string; reason: string };
}

/**
 * Writes the migrated document back over `file`, after keeping the old text at
 * `<file>.v<from>.bak`. A failure (the unit mounts /etc read-only) is reported, not thrown: the
 * migration is repeated in memory at every start, which is safe, while a room that does not start
 * is not.
 */
export function saveMigration(
  file: string,
  oldText: string,
  document: Document,
  applied: MigrationApplied,
): MigrationSaved {
  const backup = `${file}.v${applied.from}.bak`;
  try {
    const mode = statSync(file).mode & 0o777;
    writeFileAtomic(backup, oldText, mode);
    writeFileAtomic(file, document.toString(), mode);
    return { ...applied, backup };
  } catch (error) {
    const errno = errnoCause(error);
    if (errno === undefined) throw error;
    return { ...applied, notSaved: { errno: errno.code ?? 'EUNKNOWN', reason: describeErrno(errno) } };
  }
}
