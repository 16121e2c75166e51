import { inspectConfig, loadConfig, type InspectedConfig, type LoadedConfig } from '../config/load.js';
import { DEFAULT_CONFIG_PATH } from './command.js';

/**
 * `--config FILE` and `--data-dir DIR`, shared by every command that needs the configuration.
 * Spread into a command's parseArgs options: `{ ...configOptions, since: { type: 'string' } }`.
 */
export const configOptions = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export interface ConfigOptionValues {
  config?: string | undefined;
  'data-dir'?: string | undefined;
}

function loadOptions(values: ConfigOptionValues) {
  const dataDir = values['data-dir'];
  return dataDir === undefined ? {} : { dataDir };
}

/**
 * The daemon's configuration (`run`): also moves the remote override's state (trial, revert).
 * A bad main file throws a ConfigError; main.ts prints its problems, one per line, and exits 78.
 */
export function loadConfigForCli(values: ConfigOptionValues): LoadedConfig {
  return loadConfig(values.config ?? DEFAULT_CONFIG_PATH, loadOptions(values));
}

/** The same configuration for every other command, read without changing any file. */
export function inspectConfigForCli(values: ConfigOptionValues): InspectedConfig {
  return inspectConfig(values.config ?? DEFAULT_CONFIG_PATH, loadOptions(values));
}
