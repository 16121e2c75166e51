import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { allKeyPaths } from '../../src/config/schemaKeys.js';
import { formatKeyPath, type KeyPath } from '../../src/util/zodIssues.js';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * config/room-agent.example.yaml is the configuration reference technicians read: a key added to
 * the schema without being documented there fails here. Optional keys without a default appear
 * commented out (`# password: …`); uncommenting them must still give a valid file.
 */
const exampleText = readFileSync(join(REPO_ROOT, 'config/room-agent.example.yaml'), 'utf8');
const schemaPaths = allKeyPaths(configSchema);
const keyNames = new Set(schemaPaths.map((path) => String(path[path.length - 1])));

/** The example with its commented-out keys (only lines of the form `# <schema key>: value`) enabled. */
function uncommented(text: string): string {
  return text.replace(/^(\s*)# (\w+):(.*)$/gm, (line, indent: string, key: string, rest: string) =>
    keyNames.has(key) ? `${indent}${key}:${rest}` : line,
  );
}

function has(data: unknown, path: KeyPath): boolean {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !(segment in value)) return false;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return true;
}

describe('config/room-agent.example.yaml', () => {
  const plain = parseDocument(exampleText).toJS() as unknown;
  const full = parseDocument(uncommented(exampleText)).toJS() as unknown;

  it('is valid as shipped and with its commented-out keys enabled', () => {
    expect(configSchema.safeParse(plain).error?.issues ?? []).toEqual([]);
    expect(configSchema.safeParse(full).error?.issues ?? []).toEqual([]);
  });

  it('documents every key of the schema', () => {
    const missing = schemaPaths.filter((path) => !has(full, path)).map(formatKeyPath);
    expect(missing).toEqual([]);
  });

  it('has a comment right above every key', () => {
    const lines = uncommented(exampleText).split('\n');
    const undocumented = lines.flatMap((line, index) => {
      const key = /^\s*(?:- )?(\w+):/.exec(line)?.[1];
      const above = lines[index - 1]?.trim() ?? '';
      return key !== undefined && keyNames.has(key) && !above.startsWith('#') ? [`line ${index + 1}: ${key}`] : [];
    });
    expect(undocumented).toEqual([]);
  });
});
