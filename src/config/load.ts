import { removeFileDurably, writeFileAtomic } from '../util/atomicWrite.js';
import { writeOrConfigError } from './configError.js';
import { saveMigration, type MigrationApplied, type MigrationSaved } from './migrate.js';
import { hashText, OVERRIDE_FILE_MODE, readTrialMarker, trialMarkerFor } from './overrideFiles.js';
import { resolveConfig, type LoadOptions, type Resolution } from './resolve.js';
import type { Config } from './schema.js';

export type { LoadOptions } from './resolve.js';

/** The configuration as a command reads it, without changing any file. */
export interface InspectedConfig {
  config: Config;
  path: string;
  /** A remote override is part of `config`. */
  overrideActive: boolean;
  /**
   * The remote override was reverted (by loadConfig) or would be (by the next start, for
   * inspectConfig), and why; `config` is already without it. The daemon journals this reason
   * in a config.reverted event.
   */
  reverted?: { reason: string };
  /** The main file is of an older version; `config` is migrated in memory. */
  migrated?: MigrationApplied;
}

/** The configuration the daemon starts with. */
export interface LoadedConfig extends InspectedConfig {
  /** Where the pre-migration file was kept, or why the migrated file could not be written back. */
  migrated?: MigrationSaved;
  /**
   * Called by the daemon once it has run device.configTrialSeconds healthy: this configuration
   * becomes the last good one that a failing remote override is reverted to.
   */
  confirmGood(): void;
}

/**
 * For commands other than `run`: one-shots must not move the override's state (a one-shot that
 * put an override on trial would get it reverted at the next daemon start).
 */
export function inspectConfig(path: string, options: LoadOptions = {}): InspectedConfig {
  const resolution = resolveConfig(path, options);
  return {
    config: resolution.config,
    path,
    overrideActive: resolution.override !== undefined,
    ...(resolution.rejected && { reverted: { reason: resolution.rejected.reason } }),
    ...(resolution.base.migrated && { migrated: resolution.base.migrated }),
  };
}

/**
 * For the daemon's start: reads the file, the remote override and the environment, and puts the
 * files in the state the decision implies — migrated main file (with a backup), reverted override,
 * trial marker for a new override. Throws a ConfigError listing every problem of the main file.
 */
export function loadConfig(path: string, options: LoadOptions = {}): LoadedConfig {
  const resolution = resolveConfig(path, options);
  const { base, files } = resolution;
  const migrated = base.migrated && saveMigration(path, base.source.text, base.source.document, base.migrated);
  writeOrConfigError(() => applyDecision(resolution));
  let confirmed = false;
  return {
    config: resolution.config,
    path,
    overrideActive: resolution.override !== undefined,
    ...(resolution.rejected && { reverted: { reason: resolution.rejected.reason } }),
    ...(migrated && { migrated }),
    confirmGood() {
      if (confirmed) return;
      writeOrConfigError(() => confirm(resolution));
      confirmed = true;
    },
  };
}

function applyDecision({ files, override, rejected }: Resolution): void {
  if (rejected !== undefined) {
    writeFileAtomic(files.rejected, rejected.text, OVERRIDE_FILE_MODE);
    if (override === undefined) removeFileDurably(files.override);
    else writeFileAtomic(files.override, override.text, OVERRIDE_FILE_MODE);
    removeFileDurably(files.trial);
  }
  if (override?.status === 'trial') {
    writeFileAtomic(files.trial, `${JSON.stringify(trialMarkerFor(override.text))}\n`, OVERRIDE_FILE_MODE);
  }
}

/** The last good state mirrors what ran: this override, or none. */
function confirm({ files, override }: Resolution): void {
  if (override === undefined) {
    removeFileDurably(files.lastGood);
    return;
  }
  if (override.status !== 'trial') return;
  writeFileAtomic(files.lastGood, override.text, OVERRIDE_FILE_MODE);
  // A newer override may have been written (and put on trial) since: leave its marker alone.
  if (readTrialMarker(files.trial)?.sha256 === hashText(override.text)) removeFileDurably(files.trial);
}
