import { isMapping, type Mapping } from '../../config/compose.js';
import { parseLayer, type Layer } from '../../config/layerFile.js';
import { overrideFiles } from '../../config/overrideFiles.js';
import { resolveBase } from '../../config/resolve.js';
import { readOptionalText } from '../../config/yamlSource.js';
import type { ConfigTarget } from './dependencies.js';

/** The remote override as it is on disk now, with the main file it lies on. */
export interface CurrentOverride {
  base: Layer;
  file: string;
  /** Undefined when there is no override file. */
  text: string | undefined;
}

/** Throws a ConfigError when the main file cannot be read or is invalid. */
export function currentOverride({ path, options }: ConfigTarget): CurrentOverride {
  const { base, config } = resolveBase(path, options);
  const file = overrideFiles(config.device.dataDir).override;
  return { base, file, text: readOptionalText(file) };
}

/** The override's settings as a mapping ({} without one); throws a ConfigError when it does not parse. */
export function overrideData({ file, text }: CurrentOverride): Mapping {
  return text === undefined ? {} : parseLayer(file, text).data;
}

/**
 * `data` with the dotted `key` set to `value`, creating sections as needed; null removes the key
 * (and a section it leaves empty), so the main file's value applies again.
 */
export function withSetting(data: Mapping, key: string, value: unknown): Mapping {
  const [head, ...rest] = key.split('.') as [string, ...string[]];
  const { [head]: current, ...others } = data;
  const next = rest.length === 0 ? value : withSetting(isMapping(current) ? current : {}, rest.join('.'), value);
  const empty = next === null || (isMapping(next) && Object.keys(next).length === 0);
  return empty ? others : { ...others, [head]: next };
}
