import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock, type InstanceLock } from '../../src/daemon/instanceLock.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { writeMinimalConfig } from '../helpers/config.js';
import { appendSignIns, openJournal } from './helpers.js';

const READ_ONLY = [['status'], ['activity', 'current'], ['activity', 'list'], ['activity', 'plan', 'list']];
const STATE_CHANGING = [
  ['activity', 'start', '--type', 'study', '--title', 'Evening'],
  ['activity', 'end'],
  ['note', 'scanner-replaced', '--operator', 'tech'],
];
const EVERY_COMMAND = [...READ_ONLY, ...STATE_CHANGING].map((command) => ({ name: command.join(' '), command }));

/** Without a daemon, the CLI works on the journal itself: it must never create one, nor change it to read. */
describe('CLI commands without a daemon', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let dataDir: string;
  let configPath: string;
  let lock: InstanceLock | undefined;
  beforeEach(() => {
    temp = makeTempDir();
    dataDir = join(temp.dir, 'data');
    configPath = writeMinimalConfig(temp.dir, dataDir);
  });
  afterEach(async () => {
    await lock?.release();
    lock = undefined;
    temp.cleanup();
  });

  it.each(EVERY_COMMAND)(
    '$name refuses a data directory without a journal and creates nothing',
    async ({ command }) => {
      const result = await runCli([...command, '--config', configPath]);
      expect(result).toMatchObject({
        code: 65,
        stdout: '',
        stderr: `room-agent: no journal at ${join(dataDir, 'journal.sqlite')}: point --data-dir or device.dataDir at the data directory (room-agent run creates the journal on its first start)\n`,
      });
      expect(existsSync(dataDir)).toBe(false);
    },
  );

  it('read the journal without writing it, migrating it or needing the device key', async () => {
    const journal = openJournal(dataDir);
    appendSignIns(journal, 3);
    journal.close();
    // The key stays root's in the scenario this guards against; a reader has no use for it.
    rmSync(join(dataDir, 'keys'), { recursive: true });
    const before = readFileSync(join(dataDir, 'journal.sqlite'));

    for (const command of READ_ONLY) {
      const result = await runCli([...command, '--config', configPath]);
      expect({ command, ...result }).toMatchObject({ command, code: 0, stderr: '' });
    }
    const status = await runCli(['status', '--json', '--config', configPath]);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(status.stdout)).toMatchObject({
      daemon: null,
      journal: { head: { seq: 3 }, lastVerify: { ok: true, checkedTo: 3 } },
    });

    // verified_seq was 0: a writer would have recorded the verification up to seq 3.
    expect(readFileSync(join(dataDir, 'journal.sqlite')).equals(before)).toBe(true);
    expect(existsSync(join(dataDir, 'keys'))).toBe(false);
  });

  it('write to an existing journal with its key, as the daemon would', async () => {
    const journal = openJournal(dataDir);
    appendSignIns(journal, 3);
    journal.close();
    const result = await runCli(['note', 'scanner replaced', '--operator', 'tech', '--config', configPath]);
    expect(result).toMatchObject({ code: 0, stdout: 'Note recorded in the journal (seq 4)\n', stderr: '' });
    expect((await runCli(['journal', 'verify', '--data-dir', dataDir])).stdout).toBe(
      'journal OK: seq 1…4, 4 entries\n',
    );
  });

  it('refuse when the daemon holds the data directory but does not answer on its control socket', async () => {
    openJournal(dataDir).close();
    lock = await acquireInstanceLock(dataDir);
    expect(lock).toBeDefined();
    const result = await runCli(['status', '--config', configPath]);
    expect(result).toMatchObject({
      code: 69,
      stdout: '',
      stderr: `room-agent: the daemon is running but its control socket ${join(dataDir, 'control.sock')} does not answer; see journalctl -u room-agent\n`,
    });
  });
});
