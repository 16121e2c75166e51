import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { writeOverride } from '../../src/config/writeOverride.js';
import { setLanguage } from '../../src/i18n.js';
import { makeTempDir } from '../helpers/cli.js';
import { makeRoom, MINIMAL_CONFIG } from './files.js';

/**
 * A remote override that does not validate on top of the main file never leaves a room dead:
 * the daemon starts with the last good override (or none), says why, and keeps the rejected
 * file for the technician.
 */
beforeAll(() => setLanguage('en'));

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.cleanup());

/** Puts `partial` in place as the last good override, the way a healthy start confirms it. */
function confirmOverride(room: ReturnType<typeof makeRoom>, partial: unknown): void {
  writeOverride(room.configPath, partial, room.options);
  loadConfig(room.configPath, room.options).confirmGood();
}

const BAD_OVERRIDE = 'version: 1\nscanner:\n  baudRate: 57601\n';

describe('an invalid remote override', () => {
  it('is reverted to the last good override, with the reason', () => {
    const room = makeRoom(temp.dir);
    confirmOverride(room, { scanner: { baudRate: 115200 } });
    const lastGood = readFileSync(room.files.lastGood, 'utf8');
    writeFileSync(room.files.override, BAD_OVERRIDE);

    const loaded = loadConfig(room.configPath, room.options);

    const problem = 'override: scanner.baudRate: 57601 is not one of 9600…115200';
    expect(loaded.reverted).toEqual({ code: 'override-invalid', problems: [problem], reason: problem });
    expect(loaded.overrideActive).toBe(true);
    expect(loaded.config.scanner.baudRate).toBe(115200);
    expect(readFileSync(room.files.override, 'utf8')).toBe(lastGood);
    expect(readFileSync(room.files.rejected, 'utf8')).toBe(BAD_OVERRIDE);
    expect(existsSync(room.files.trial)).toBe(false);
    // The next start runs the restored override without a new revert.
    expect(loadConfig(room.configPath, room.options).reverted).toBeUndefined();
  });

  it('falls back to the main file alone when there is no last good override', () => {
    const room = makeRoom(temp.dir);
    writeFileSync(room.files.override, 'version: 1\ncounty:\n  url: http://x\n  colour: red\n');

    const loaded = loadConfig(room.configPath, room.options);

    expect(loaded.reverted?.reason).toBe(
      'override: county.url: "http://x" is not an mqtt://, mqtts://, ws:// or wss:// URL; override: county.colour: unknown key',
    );
    expect(loaded.overrideActive).toBe(false);
    expect(loaded.config.county.url).toBe('mqtts://mqtt.county.example:8883');
    expect(existsSync(room.files.override)).toBe(false);
  });

  it('with a YAML syntax error names the override file, line and column', () => {
    const room = makeRoom(temp.dir);
    writeFileSync(room.files.override, 'version: 1\nscanner:\n  driver: r30x\n  driver: gt521\n');

    const loaded = loadConfig(room.configPath, room.options);

    expect(loaded.reverted?.reason).toBe(
      `override: ${room.files.override}:4:3: YAML syntax error: Map keys must be unique`,
    );
    expect(loaded.config.scanner.driver).toBe('r30x');
  });

  it('that tries to move the data directory is refused', () => {
    const room = makeRoom(temp.dir);
    writeFileSync(room.files.override, 'version: 1\ndevice:\n  dataDir: /elsewhere\n');

    const loaded = loadConfig(room.configPath, room.options);

    expect(loaded.reverted?.reason).toBe(
      'override: device.dataDir: cannot be set by a remote override (it decides where the override file itself lives)',
    );
    expect(loaded.config.device.dataDir).toBe(room.dataDir);
  });

  it('is reverted to none when the last good override no longer validates either', () => {
    const room = makeRoom(temp.dir, `${MINIMAL_CONFIG}feedback:\n  redLed: 27\n`);
    // As after an upgrade that tightened a limit the last good override relied on.
    writeFileSync(room.files.lastGood, 'version: 1\nfeedback:\n  redLed: 99\n');
    writeFileSync(room.files.override, BAD_OVERRIDE);

    const loaded = loadConfig(room.configPath, room.options);

    expect(loaded.reverted?.reason).toBe('override: scanner.baudRate: 57601 is not one of 9600…115200');
    expect(loaded.overrideActive).toBe(false);
    expect(loaded.config.feedback.redLed).toBe(27);
    expect(existsSync(room.files.override)).toBe(false);
    // Once this start is confirmed, the main file alone is the last good configuration.
    loaded.confirmGood();
    expect(existsSync(room.files.lastGood)).toBe(false);
  });
});
