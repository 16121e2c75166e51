import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/journal/journal.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { logLines, writeConfig } from './daemonProcess.js';

describe('an internal fault exits 1 so that systemd restarts the daemon', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.cleanup());

  it('a journal file replaced by garbage: a fatal log line naming the file, exit 1, nothing listening', async () => {
    const { configPath, dataDir, socketPath } = writeConfig(temp.dir);
    mkdirSync(dataDir, { recursive: true });
    const journalFile = join(dataDir, JOURNAL_FILE);
    writeFileSync(journalFile, Buffer.alloc(8192, 0x5a));

    const result = await runCli(['run', '--config', configPath], { timeoutMs: 15_000 });
    expect(result).toMatchObject({ code: 1, signal: null });
    const fatal = logLines(result.stdout).filter((line) => line.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.msg).toContain(`cannot start: cannot open the journal database ${journalFile}`);
    expect(fatal[0]!.msg).toContain('file is not a database');
    expect(existsSync(socketPath)).toBe(false);
  });
});
