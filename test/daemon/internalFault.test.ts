import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/journal/journal.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { logLines, writeConfig } from './daemonProcess.js';

describe('an internal fault exits 1 so that systemd restarts the daemon', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.cleanup());

  // A file of garbage is damage, quarantined (test/e2e/journalQuarantine.test.ts); a directory in its place is not.
  it('a directory where the journal file belongs: a fatal log line naming the file, exit 1, nothing listening', async () => {
    const { configPath, dataDir, socketPath } = writeConfig(temp.dir);
    const journalFile = join(dataDir, JOURNAL_FILE);
    mkdirSync(journalFile, { recursive: true });

    const result = await runCli(['run', '--config', configPath], { timeoutMs: 15_000 });
    expect(result).toMatchObject({ code: 1, signal: null });
    const fatal = logLines(result.stdout).filter((line) => line.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.msg).toContain(`cannot start: cannot open the journal database ${journalFile}`);
    expect(fatal[0]!.msg).toContain('unable to open database file');
    expect(existsSync(socketPath)).toBe(false);
  });
});
