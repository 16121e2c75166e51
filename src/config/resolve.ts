import { ErrorCode } from '../errors.js';
import { inLanguage } from '../util/language.js';
import { ConfigError } from './configError.js';
import { deepMerge, isMapping, withEnvironment } from './compose.js';
import { parseLayer, validateInput, type Layer } from './layerFile.js';
import { problemText } from './messages.js';
import type { MigrationTable } from './migrate.js';
import {
  hashText,
  overrideFiles,
  readTrialMarker,
  trialHeldByOtherProcess,
  type OverrideFiles,
} from './overrideFiles.js';
import { overrideDidNotStart, overrideInvalid, type Reverted } from './revertReason.js';
import type { Config } from './schema.js';
import { readConfigText, readOptionalText } from './yamlSource.js';

export interface LoadOptions {
  /** Source of secrets; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The CLI's --data-dir: replaces device.dataDir. */
  dataDir?: string;
  /** Version migrations; default the production table. Tests inject their own. */
  migrations?: MigrationTable;
}

/** Lines naming a remote override's problems start with this, so nobody edits the wrong file. */
export const OVERRIDE_PREFIX = 'override: ';

/**
 * How the remote override stands at this start:
 * - confirmed: it already ran healthy once (it equals the last good one);
 * - trial: new; this start must run healthy for device.configTrialSeconds to confirm it;
 * - held: new, and another live process (the running daemon) has it on trial.
 */
export type OverrideStatus = 'confirmed' | 'trial' | 'held';

/** What the files on disk amount to, decided without writing anything. */
export interface Resolution {
  base: Layer;
  config: Config;
  files: OverrideFiles;
  override?: { text: string; status: OverrideStatus };
  /** The override that must be reverted and why; `override` is then what replaces it. */
  rejected?: { text: string; reverted: Reverted };
}

/** The main file alone (with secrets and --data-dir) must be valid: it is the fallback of last resort. */
export function resolveBase(path: string, options: LoadOptions = {}): { base: Layer; config: Config } {
  const base = parseLayer(path, readConfigText(path), options.migrations);
  const validation = validateInput(
    withEnvironment(base.data, options.env ?? process.env, options.dataDir),
    base.source,
  );
  if (!validation.ok) throw new ConfigError(ErrorCode.ConfigInvalid, validation.problems, { file: path });
  return { base, config: validation.config };
}

/** The configuration with `overrideText` on top of `base`, or the override's problems. */
export function evaluateOverride(
  base: Layer,
  file: string,
  overrideText: string,
  options: LoadOptions,
): { ok: true; config: Config } | { ok: false; problems: string[] } {
  let layer: Layer;
  try {
    layer = parseLayer(file, overrideText, options.migrations);
  } catch (error) {
    if (error instanceof ConfigError)
      return { ok: false, problems: error.problems.map((problem) => `${OVERRIDE_PREFIX}${problem}`) };
    throw error;
  }
  const forbidden =
    isMapping(layer.data.device) && layer.data.device.dataDir !== undefined
      ? [problemText('overrideForbiddenKey', { path: 'device.dataDir' })]
      : [];
  const input = withEnvironment(deepMerge(base.data, layer.data), options.env ?? process.env, options.dataDir);
  const validation = validateInput(input, layer.source);
  if (validation.ok && forbidden.length === 0) return validation;
  const problems = [...forbidden, ...(validation.ok ? [] : validation.problems)];
  return { ok: false, problems: problems.map((problem) => `${OVERRIDE_PREFIX}${problem}`) };
}

/**
 * Decides which override applies at this start. An override is reverted when it does not
 * validate on top of the main file, or when a previous start put it on trial and never confirmed
 * it (that start crashed or hung); the last good override replaces it if it still validates.
 */
export function resolveConfig(path: string, options: LoadOptions = {}): Resolution {
  const { base, config: baseConfig } = resolveBase(path, options);
  const files = overrideFiles(baseConfig.device.dataDir);
  const overrideText = readOptionalText(files.override);
  if (overrideText === undefined) return { base, config: baseConfig, files };

  const lastGoodText = readOptionalText(files.lastGood);
  const confirmed = overrideText === lastGoodText;
  const marker = confirmed ? undefined : readTrialMarker(files.trial);
  const markedForThis = marker !== undefined && marker.sha256 === hashText(overrideText);
  const held = markedForThis && trialHeldByOtherProcess(marker);

  let reverted = overrideDidNotStart();
  if (!markedForThis || held) {
    const evaluation = evaluateOverride(base, files.override, overrideText, options);
    if (evaluation.ok) {
      const status: OverrideStatus = confirmed ? 'confirmed' : held ? 'held' : 'trial';
      return { base, config: evaluation.config, files, override: { text: overrideText, status } };
    }
    const english = inLanguage('en', () => evaluateOverride(base, files.override, overrideText, options));
    reverted = overrideInvalid(evaluation.problems, english.ok ? [] : english.problems);
  }

  const rejected = { text: overrideText, reverted };
  const fallback =
    lastGoodText === undefined || confirmed ? undefined : evaluateOverride(base, files.lastGood, lastGoodText, options);
  if (fallback?.ok === true) {
    return { base, config: fallback.config, files, override: { text: lastGoodText!, status: 'confirmed' }, rejected };
  }
  // No last good override, or one that no longer fits a main file edited since: the file alone.
  return { base, config: baseConfig, files, rejected };
}
