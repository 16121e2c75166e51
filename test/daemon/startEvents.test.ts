import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCore } from '../../src/app/core.js';
import { announceStart } from '../../src/app/startEvents.js';
import { loadConfig } from '../../src/config/load.js';
import type { MigrationTable } from '../../src/config/migrate.js';
import { EventBus } from '../../src/daemon/bus.js';
import { setLanguage } from '../../src/i18n.js';
import { createRootLogger } from '../../src/log.js';
import { makeTempDir } from '../helpers/cli.js';
import { objectContaining } from '../helpers/matchers.js';

/** A test-only format version 0, identical to 1 but for its number. */
const FROM_VERSION_0: MigrationTable = { 0: () => {} };

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createRootLogger({ level: 'info', format: 'json' }, sink), lines };
}

describe('the start of a run on a migrated configuration', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let configPath: string;
  let dataDir: string;
  beforeEach(() => {
    // Log and journal text must not follow the locale.
    setLanguage('zh');
    temp = makeTempDir();
    dataDir = join(temp.dir, 'data');
    configPath = join(temp.dir, 'config.yaml');
    writeFileSync(
      configPath,
      'version: 0\ndevice:\n  id: yx-test-01\ncounty:\n  url: mqtts://mqtt.county.example:8883\n',
    );
  });
  afterEach(() => {
    setLanguage('en');
    temp.cleanup();
  });

  function start() {
    const loaded = loadConfig(configPath, { dataDir, env: {}, migrations: FROM_VERSION_0 });
    const { logger, lines } = capturedLogger();
    const core = openCore(loaded.config, logger, new EventBus(), 'create');
    try {
      announceStart(core, loaded, new EventBus(), logger);
      return { events: core.journal.read(0, 100).filter((entry) => entry.type === 'config.migrated'), lines };
    } finally {
      core.journal.close();
    }
  }

  it('journals config.migrated with the backup, and logs where the old file is', () => {
    const { events, lines } = start();
    expect(events.map((entry) => entry.payload)).toEqual([{ from: 0, to: 1, backup: `${configPath}.v0.bak` }]);
    expect(lines).toContainEqual(
      objectContaining({
        level: 30,
        from: 0,
        to: 1,
        backup: `${configPath}.v0.bak`,
        msg: 'configuration file migrated; the old version is kept as a backup',
      }),
    );
  });

  it('journals why the file could not be rewritten (errno, not localized text) and warns', () => {
    mkdirSync(`${configPath}.v0.bak`); // as /etc under ProtectSystem=strict: the write-back fails
    const { events, lines } = start();
    expect(events.map((entry) => entry.payload)).toEqual([{ from: 0, to: 1, notSaved: 'EISDIR' }]);
    expect(lines).toContainEqual(
      objectContaining({
        level: 40,
        file: configPath,
        msg: 'configuration migrated in memory only: the file could not be rewritten; update it to version 1 by hand',
      }),
    );
  });
});
