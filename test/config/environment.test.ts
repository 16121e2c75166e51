import { writeFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/configError.js';
import { loadConfig } from '../../src/config/load.js';
import { setLanguage } from '../../src/i18n.js';
import { makeTempDir } from '../helpers/cli.js';
import { makeRoom, MINIMAL_CONFIG } from './files.js';

/** Secrets come from the environment and win over both files; --data-dir wins over device.dataDir. */
beforeAll(() => setLanguage('en'));

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.cleanup());

const WITH_PASSWORD = MINIMAL_CONFIG.replace(
  '  url: mqtts://mqtt.county.example:8883\n',
  '  url: mqtts://mqtt.county.example:8883\n  password: from-file\n',
);

describe('environment and command-line layers', () => {
  it('ROOM_AGENT_COUNTY_PASSWORD overrides the file and the remote override', () => {
    const room = makeRoom(temp.dir, WITH_PASSWORD);
    writeFileSync(room.files.override, 'version: 1\ncounty:\n  password: from-override\n');
    const env = { ROOM_AGENT_COUNTY_PASSWORD: 'from-environment' };

    expect(loadConfig(room.configPath, { ...room.options, env }).config.county.password).toBe('from-environment');
  });

  it('an empty variable counts as unset', () => {
    const room = makeRoom(temp.dir, WITH_PASSWORD);
    const env = { ROOM_AGENT_COUNTY_PASSWORD: '' };

    expect(loadConfig(room.configPath, { ...room.options, env }).config.county.password).toBe('from-file');
  });

  it('never shows a secret in a problem line', () => {
    const room = makeRoom(temp.dir, WITH_PASSWORD.replace('password: from-file', 'password: 20240705'));
    try {
      loadConfig(room.configPath, room.options);
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(['county.password: expected a string, found [hidden] (number)']);
    }
  });

  it('--data-dir replaces device.dataDir', () => {
    const room = makeRoom(
      temp.dir,
      MINIMAL_CONFIG.replace('  id: yx-test-01\n', '  id: yx-test-01\n  dataDir: /var/lib/room-agent\n'),
    );

    expect(loadConfig(room.configPath, room.options).config.device.dataDir).toBe(room.dataDir);
    expect(loadConfig(room.configPath, { env: {} }).config.device.dataDir).toBe('/var/lib/room-agent');
  });
});
