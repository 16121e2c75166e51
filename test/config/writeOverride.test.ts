import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/configError.js';
import { loadConfig } from '../../src/config/load.js';
import { writeOverride } from '../../src/config/writeOverride.js';
import { ErrorCode } from '../../src/errors.js';
import { setLanguage } from '../../src/i18n.js';
import { makeTempDir } from '../helpers/cli.js';
import { makeRoom, snapshot } from './files.js';

/** Remote configuration writes the override only once it is known to validate on top of the main file. */
beforeAll(() => setLanguage('en'));

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.cleanup());

function problemsOf(action: () => void): { code: number; problems: readonly string[] } {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return { code: error.code, problems: error.problems };
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('writeOverride', () => {
  it('rejects a partial that makes the configuration invalid and leaves every file byte-identical', () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { scanner: { baudRate: 115200 } }, room.options);
    loadConfig(room.configPath, room.options).confirmGood();
    writeOverride(room.configPath, { scanner: { baudRate: 9600 } }, room.options);
    loadConfig(room.configPath, room.options); // now on trial: override, last good and marker all exist
    const before = snapshot(temp.dir);

    const rejected = problemsOf(() =>
      writeOverride(
        room.configPath,
        { scanner: { baudRate: 57601 }, county: { colour: 'red' }, device: { dataDir: '/x' } },
        room.options,
      ),
    );

    expect(rejected).toEqual({
      code: ErrorCode.ConfigInvalid,
      problems: [
        'override: device.dataDir: cannot be set by a remote override (it decides where the override file itself lives)',
        'override: scanner.baudRate: 57601 is not one of 9600…115200',
        'override: county.colour: unknown key',
      ],
    });
    expect(snapshot(temp.dir)).toEqual(before);
  });

  it('rejects a partial that is not a mapping', () => {
    const room = makeRoom(temp.dir);
    expect(problemsOf(() => writeOverride(room.configPath, ['scanner'], room.options)).problems).toEqual([
      'override: (top level): expected a mapping (key: value), found a list',
    ]);
  });

  it("reports the main file's own problems unprefixed: the override is not what is wrong", () => {
    const room = makeRoom(temp.dir, 'version: 1\ndevice:\n  id: yx-test-01\n');
    expect(problemsOf(() => writeOverride(room.configPath, {}, room.options)).problems).toEqual(['county: required']);
  });

  it('writes a valid partial that the next start applies, replacing the previous override as a whole', () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { scanner: { baudRate: 115200 }, log: { level: 'debug' } }, room.options);
    writeOverride(room.configPath, { log: { level: 'warn' } }, room.options);

    const { config } = loadConfig(room.configPath, room.options);

    expect(config.log.level).toBe('warn');
    expect(config.scanner.baudRate).toBe(57600);
    expect(readFileSync(room.files.override, 'utf8')).toMatch(
      /^# Written by room-agent remote configuration.*\nversion: 1\nlog:\n {2}level: warn\n$/,
    );
  });
});
