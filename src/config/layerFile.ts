import { ErrorCode } from '../errors.js';
import { ConfigError } from './configError.js';
import { describeConfigIssues, inFileOrder, topLevelProblem } from './format.js';
import { isMapping, type Mapping } from './compose.js';
import { migrateDocument, type MigrationApplied, type MigrationTable } from './migrate.js';
import { configSchema, type Config } from './schema.js';
import { parseYamlSource, type YamlSource } from './yamlSource.js';

/** One configuration file (the main file or an override), parsed and brought to the current version. */
export interface Layer {
  source: YamlSource;
  data: Mapping;
  migrated?: MigrationApplied;
}

/** Parses and migrates one file's text; throws a ConfigError with every problem found. */
export function parseLayer(file: string, text: string, migrations?: MigrationTable): Layer {
  const source = parseYamlSource(file, text);
  const migrated = migrateDocument(source.document, migrations);
  // An empty file is an empty mapping, so the technician learns which keys are required.
  const data: unknown = source.document.toJS() ?? {};
  if (!isMapping(data)) throw new ConfigError(ErrorCode.ConfigInvalid, [topLevelProblem(data).text], { file });
  return migrated === undefined ? { source, data } : { source, data, migrated };
}

export type Validation = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Validates the layered input; problems come in the order their keys appear in `source`. */
export function validateInput(input: Mapping, source: YamlSource): Validation {
  const result = configSchema.safeParse(input);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: inFileOrder(describeConfigIssues(result.error.issues, input), source.lineOf) };
}
