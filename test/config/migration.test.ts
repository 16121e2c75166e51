import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Document } from 'yaml';
import { ConfigError } from '../../src/config/configError.js';
import { inspectConfig, loadConfig } from '../../src/config/load.js';
import type { MigrationTable } from '../../src/config/migrate.js';
import { setLanguage } from '../../src/i18n.js';
import { makeTempDir } from '../helpers/cli.js';
import { makeRoom, snapshot } from './files.js';

/**
 * Version 1 is the only format so far, so the mechanism is tested with a migration from a
 * test-only version 0 that named the scanner speed `scanner.baud`.
 */
beforeAll(() => setLanguage('en'));

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.cleanup());

const VERSION_0 = `# Room of Hongqi village
version: 0
device:
  id: yx-test-01
scanner:
  # the module was replaced in 2023
  baud: 115200
county:
  url: mqtts://mqtt.county.example:8883
`;

const RENAME_BAUD: MigrationTable = {
  0: (document: Document) => {
    document.setIn(['scanner', 'baudRate'], document.getIn(['scanner', 'baud']));
    document.deleteIn(['scanner', 'baud']);
  },
};

function problemsOf(action: () => void): readonly string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration migrations', () => {
  it('migrate an old file, keep the old one as <file>.v0.bak and rewrite it with its comments', () => {
    const room = makeRoom(temp.dir, VERSION_0);

    const loaded = loadConfig(room.configPath, { ...room.options, migrations: RENAME_BAUD });

    expect(loaded.config.scanner.baudRate).toBe(115200);
    expect(loaded.migrated).toEqual({ from: 0, to: 1, backup: `${room.configPath}.v0.bak` });
    expect(readFileSync(`${room.configPath}.v0.bak`, 'utf8')).toBe(VERSION_0);
    const rewritten = readFileSync(room.configPath, 'utf8');
    expect(rewritten).toContain('# Room of Hongqi village\nversion: 1\n');
    expect(rewritten).toContain('# the module was replaced in 2023');
    expect(rewritten).not.toContain('baud:');
    // The rewritten file is current: the next start has nothing to migrate.
    expect(loadConfig(room.configPath, room.options).migrated).toBeUndefined();
  });

  it('still start, migrated in memory, when the file cannot be rewritten', () => {
    const room = makeRoom(temp.dir, VERSION_0);
    mkdirSync(`${room.configPath}.v0.bak`); // a directory where the backup must go

    const loaded = loadConfig(room.configPath, { ...room.options, migrations: RENAME_BAUD });

    expect(loaded.config.scanner.baudRate).toBe(115200);
    expect(loaded.migrated).toEqual({
      from: 0,
      to: 1,
      notSaved: { errno: 'EISDIR', reason: 'is a directory (EISDIR)' },
    });
    expect(readFileSync(room.configPath, 'utf8')).toBe(VERSION_0);
    expect(readdirSync(temp.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('are not written by inspectConfig', () => {
    const room = makeRoom(temp.dir, VERSION_0);
    const before = snapshot(temp.dir);

    expect(inspectConfig(room.configPath, { ...room.options, migrations: RENAME_BAUD }).migrated).toEqual({
      from: 0,
      to: 1,
    });
    expect(snapshot(temp.dir)).toEqual(before);
  });

  it('refuse a version with no migration path, and one newer than this room-agent', () => {
    const old = makeRoom(temp.dir, VERSION_0);
    expect(problemsOf(() => loadConfig(old.configPath, old.options))).toEqual([
      'version: 0 has no migration to the current version 1',
    ]);
    const newer = makeRoom(temp.dir, VERSION_0.replace('version: 0', 'version: 2'));
    expect(problemsOf(() => loadConfig(newer.configPath, newer.options))).toEqual([
      'version: 2 is newer than this room-agent understands (1); upgrade room-agent',
    ]);
  });
});
