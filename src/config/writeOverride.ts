import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { ErrorCode } from '../errors.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { ConfigError, writeOrConfigError } from './configError.js';
import { isMapping } from './compose.js';
import { OVERRIDE_FILE_MODE, overrideFiles } from './overrideFiles.js';
import { evaluateOverride, resolveBase, type LoadOptions } from './resolve.js';
import { CONFIG_VERSION } from './schema.js';

/** The override file's text for `partial`. */
function overrideText(partial: unknown): string {
  // The version goes in so that a later format can migrate an override written today.
  return `# Written by room-agent remote configuration; it is replaced as a whole, do not edit.\n${stringify(
    isMapping(partial) ? { version: CONFIG_VERSION, ...partial } : partial,
  )}`;
}

/** What `partial` would be as the remote override: its file, text and problems on top of the main file (none: valid). */
export interface OverrideCheck {
  file: string;
  text: string;
  problems: readonly string[];
}

/** Checks `partial` as the remote override on top of the main file without writing anything. */
export function checkOverride(path: string, partial: unknown, options: LoadOptions = {}): OverrideCheck {
  const { base, config } = resolveBase(path, options);
  const file = overrideFiles(config.device.dataDir).override;
  const text = overrideText(partial);
  const evaluation = evaluateOverride(base, file, text, options);
  return { file, text, problems: evaluation.ok ? [] : evaluation.problems };
}

/**
 * Replaces the remote override with `partial` (a partial configuration: the keys it sets win
 * over the main file's). It is checked on top of the main file before anything is written; a
 * partial that would make the configuration invalid throws a ConfigError with `override: ` lines
 * and leaves every file as it was. It takes effect, on trial, at the daemon's next start.
 */
export function writeOverride(path: string, partial: unknown, options: LoadOptions = {}): void {
  const { file, text, problems } = checkOverride(path, partial, options);
  if (problems.length > 0) throw new ConfigError(ErrorCode.ConfigInvalid, problems, { file });
  writeOrConfigError(() => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, text, OVERRIDE_FILE_MODE);
  });
}
