import { removeFileDurably, writeFileAtomic } from '../util/atomicWrite.js';
import { writeOrConfigError } from './configError.js';
import { saveMigration, type MigrationApplied, type MigrationSaved } from './migrate.js';
import { OVERRIDE_FILE_MODE, trialMarkerFor } from './overrideFiles.js';
import { resolveConfig, type LoadOptions, type Resolution } from './resolve.js';
import type { Reverted } from './revertReason.js';
import type { Config } from './schema.js';
import { confirmTrial, interruptTrial, rejectTrial } from './trialOutcome.js';

export type { LoadOptions } from './resolve.js';

/** The configuration as a command reads it, without changing any file. */
export interface InspectedConfig {
  config: Config;
  path: string;
  /** A remote override is part of `config`. */
  overrideActive: boolean;
  /**
   * The remote override was reverted (by loadConfig) or would be (by the next start, for
   * inspectConfig), and why; `config` is already without it. The daemon journals the code and
   * problems in a config.reverted event.
   */
  reverted?: Reverted;
  /** The main file is of an older version; `config` is migrated in memory. */
  migrated?: MigrationApplied;
}

/** The configuration the daemon starts with, and how the daemon settles its trial. */
export interface LoadedConfig extends InspectedConfig {
  /** Where the pre-migration file was kept, or why the migrated file could not be written back. */
  migrated?: MigrationSaved;
  /** How the layers were found (--data-dir, the environment): a new override is checked with the same. */
  readonly options: LoadOptions;
  /** A new remote override is on trial in this start: it must be confirmed, interrupted or rejected. */
  readonly onTrial: boolean;
  /**
   * The daemon ran device.configTrialSeconds, or until a clean stop, with every service started:
   * this configuration becomes the last good one that a failing remote override is reverted to.
   */
  confirmGood(): void;
  /** A clean stop came before every service had started: the next start tries the override again. */
  interruptTrial(): void;
  /** The trial window ended with a service that could not start: reverts the override now. */
  rejectTrial(): void;
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
    ...(resolution.rejected && { reverted: resolution.rejected.reverted }),
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
  const { base, files, override } = resolution;
  const migrated = base.migrated && saveMigration(path, base.source.text, base.source.document, base.migrated);
  writeOrConfigError(() => applyDecision(resolution));
  const onTrial = override?.status === 'trial';
  // Settled once: a late confirmation must not bless an override that was rejected, or the reverse.
  let settled = false;
  const settle = (write: () => void): void => {
    if (settled) return;
    writeOrConfigError(write);
    settled = true;
  };
  return {
    config: resolution.config,
    path,
    overrideActive: override !== undefined,
    ...(resolution.rejected && { reverted: resolution.rejected.reverted }),
    ...(migrated && { migrated }),
    options,
    onTrial,
    confirmGood() {
      // A confirmed override is last good already; one held by another process is not ours to judge.
      if (override === undefined || onTrial) settle(() => confirmTrial(files, override?.text));
    },
    interruptTrial() {
      if (onTrial) settle(() => interruptTrial(files, override.text));
    },
    rejectTrial() {
      if (onTrial) settle(() => rejectTrial(files, override.text));
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
