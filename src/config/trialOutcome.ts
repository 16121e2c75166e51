import { removeFileDurably, writeFileAtomic } from '../util/atomicWrite.js';
import { hashText, OVERRIDE_FILE_MODE, readTrialMarker, type OverrideFiles } from './overrideFiles.js';
import { readOptionalText } from './yamlSource.js';

/**
 * How a daemon settles the trial of the configuration it runs. `override` is the override text it
 * runs (undefined: the main file alone). A newer override may have been written meanwhile (and
 * will be tried at the next start): its files and its trial marker are left alone.
 */

/** It ran healthy: the last good state mirrors what ran, this override or none. */
export function confirmTrial(files: OverrideFiles, override: string | undefined): void {
  if (override === undefined) {
    removeFileDurably(files.lastGood);
    return;
  }
  writeFileAtomic(files.lastGood, override, OVERRIDE_FILE_MODE);
  removeOwnMarker(files, override);
}

/**
 * Stopped cleanly before every service had started: neither good nor failed. Without the marker
 * the next start tries the override afresh, where a marker left behind would read as a crash
 * and revert it.
 */
export function interruptTrial(files: OverrideFiles, override: string): void {
  removeOwnMarker(files, override);
}

/**
 * Failed while running: the override is kept as override.rejected.yaml for the technician and the
 * last good override (or none) is put back, so the next start runs on it.
 */
export function rejectTrial(files: OverrideFiles, override: string): void {
  writeFileAtomic(files.rejected, override, OVERRIDE_FILE_MODE);
  if (readOptionalText(files.override) === override) {
    const lastGood = readOptionalText(files.lastGood);
    if (lastGood === undefined) removeFileDurably(files.override);
    else writeFileAtomic(files.override, lastGood, OVERRIDE_FILE_MODE);
  }
  removeOwnMarker(files, override);
}

function removeOwnMarker(files: OverrideFiles, override: string): void {
  if (readTrialMarker(files.trial)?.sha256 === hashText(override)) removeFileDurably(files.trial);
}
