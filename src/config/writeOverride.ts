import { mkdirSync } from 'node:fs';
import { stringify } from 'yaml';
import { ErrorCode } from '../errors.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { ConfigError, writeOrConfigError } from './configError.js';
import { isMapping } from './compose.js';
import { OVERRIDE_FILE_MODE, overrideFiles } from './overrideFiles.js';
import { evaluateOverride, resolveBase, type LoadOptions } from './resolve.js';
import { CONFIG_VERSION } from './schema.js';

/**
 * Replaces the remote override with `partial` (a partial configuration: the keys it sets win
 * over the main file's). It is checked on top of the main file before anything is written; a
 * partial that would make the configuration invalid throws a ConfigError with `override: ` lines
 * and leaves every file as it was. It takes effect, on trial, at the daemon's next start.
 */
export function writeOverride(path: string, partial: unknown, options: LoadOptions = {}): void {
  const { base, config } = resolveBase(path, options);
  const files = overrideFiles(config.device.dataDir);
  // The version goes in so that a later format can migrate an override written today.
  const text = `# Written by room-agent remote configuration; it is replaced as a whole, do not edit.\n${stringify(
    isMapping(partial) ? { version: CONFIG_VERSION, ...partial } : partial,
  )}`;
  const evaluation = evaluateOverride(base, files.override, text, options);
  if (!evaluation.ok) throw new ConfigError(ErrorCode.ConfigInvalid, evaluation.problems, { file: files.override });
  writeOrConfigError(() => {
    mkdirSync(files.directory, { recursive: true });
    writeFileAtomic(files.override, text, OVERRIDE_FILE_MODE);
  });
}
