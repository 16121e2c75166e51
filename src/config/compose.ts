import type { KeyPath } from '../util/zodIssues.js';

/**
 * The configuration is built in layers, later ones winning: the file, the remote override,
 * secrets from the environment, then the CLI's --data-dir.
 */
export type Mapping = Record<string, unknown>;

/**
 * Secrets come from the environment (the unit's EnvironmentFile, mode 0600), never from a file
 * a technician might paste into a ticket. Their values are never shown in problem lines.
 */
export const SECRET_VARIABLES: readonly { variable: string; path: readonly string[] }[] = [
  { variable: 'ROOM_AGENT_COUNTY_PASSWORD', path: ['county', 'password'] },
];

export function isSecretPath(path: KeyPath): boolean {
  return SECRET_VARIABLES.some(
    (secret) => secret.path.length === path.length && secret.path.every((segment, i) => segment === path[i]),
  );
}

export function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Mappings merge key by key; lists and scalars from `top` replace what `bottom` had. */
export function deepMerge(bottom: Mapping, top: Mapping): Mapping {
  const merged: Mapping = { ...bottom };
  for (const [key, value] of Object.entries(top)) {
    const below = merged[key];
    merged[key] = isMapping(below) && isMapping(value) ? deepMerge(below, value) : value;
  }
  return merged;
}

/**
 * Returns a copy of `data` with `value` at `path`. Sections are never created: a missing or
 * malformed section stays as written, so the problem reported is the same with or without the
 * environment and --data-dir (`device: required`, not `device.id: required`).
 */
export function withValueAt(data: Mapping, path: readonly string[], value: unknown): Mapping {
  const [head, ...rest] = path;
  if (head === undefined) return data;
  if (rest.length === 0) return { ...data, [head]: value };
  const child = data[head];
  return isMapping(child) ? { ...data, [head]: withValueAt(child, rest, value) } : data;
}

/**
 * Applies the layers above the files. An empty variable counts as unset: an EnvironmentFile line
 * `ROOM_AGENT_COUNTY_PASSWORD=` means "no password", not "the empty password".
 */
export function withEnvironment(data: Mapping, env: NodeJS.ProcessEnv, dataDir: string | undefined): Mapping {
  let layered = data;
  for (const { variable, path } of SECRET_VARIABLES) {
    const value = env[variable];
    if (value !== undefined && value !== '') layered = withValueAt(layered, path, value);
  }
  return dataDir === undefined ? layered : withValueAt(layered, ['device', 'dataDir'], dataDir);
}
