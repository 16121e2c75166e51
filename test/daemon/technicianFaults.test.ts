import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/journal/journal.js';
import { generateDeviceKey, privateKeyPem } from '../../src/journal/keyCrypto.js';
import { makeTempDir, REPO_ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { logLines, openJournal, writeConfig } from './daemonProcess.js';

/**
 * Faults no restart can heal end the daemon with exit 78, which the unit names in
 * RestartPreventExitStatus: a restart loop would hide them from the technician for months.
 */
describe('faults only a technician can fix exit 78 with one line saying what to do', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let paths: ReturnType<typeof writeConfig>;
  beforeEach(() => {
    temp = makeTempDir();
    paths = writeConfig(temp.dir);
    const journal = openJournal(paths.dataDir, 'create');
    journal.append('test.entry', { n: 1 });
    journal.append('test.entry', { n: 2 });
    journal.close();
  });
  afterEach(() => temp.cleanup());

  const keyFile = () => join(paths.dataDir, 'keys', 'device.pem');
  const run = () => runCli(['run', '--config', paths.configPath], { timeoutMs: 20_000 });

  /** Exit 78, exactly one stderr line, and nothing that looks like a crash. */
  function expectTechnicianExit(result: CliResult): string {
    expect(result, result.stderr).toMatchObject({ code: 78, signal: null });
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(result.stderr).not.toMatch(/TypeError|internal error|\n\s+at /);
    return lines[0]!;
  }

  it('the unit does not restart on 78', () => {
    expect(readFileSync(join(REPO_ROOT, 'systemd/room-agent.service'), 'utf8')).toMatch(
      /^RestartPreventExitStatus=78$/m,
    );
  });

  it('a missing device key: the daemon exits 78 and says to restore the key file', async () => {
    unlinkSync(keyFile());
    const result = await run();
    expect(expectTechnicianExit(result)).toMatch(
      new RegExp(`^room-agent: the device private key ${keyFile()} is missing, .*restore the key file from the backup`),
    );
    // The journal (journald) keeps the reason too, as one fatal log line.
    expect(logLines(result.stdout).filter((entry) => entry.level === 60)).toHaveLength(1);
  });

  it('a wrong device key: the daemon exits 78 and says to put the matching key back', async () => {
    writeFileSync(keyFile(), privateKeyPem(generateDeviceKey()));
    const line = expectTechnicianExit(await run());
    expect(line).toMatch(
      /^room-agent: .*device\.pem holds key \S+, but the journal is signed by key \S+; put the matching key file back$/,
    );
  });

  it('a device key file that is not a key: exit 78', async () => {
    writeFileSync(keyFile(), 'not a key\n');
    expect(expectTechnicianExit(await run())).toMatch(
      /is not a readable Ed25519 private key: .*restore it from the backup$/,
    );
  });

  it('a deleted journal_meta row whose quarantine cannot be written: verify names the damage, the daemon exits 78', async () => {
    const file = join(paths.dataDir, JOURNAL_FILE);
    execFileSync('sqlite3', [file, 'DELETE FROM journal_meta;']);
    const verify = await runCli(['journal', 'verify', '--config', paths.configPath]);
    expect(verify).toMatchObject({ code: 65, stderr: '' });
    expect(verify.stdout).toContain('journal_meta row (the recorded head) is missing');
    expect(verify.stdout).not.toMatch(/TypeError/);
    // A file where the quarantine folder must go: the damaged journal cannot be set aside.
    writeFileSync(join(paths.dataDir, 'quarantine'), '');
    expect(expectTechnicianExit(await run())).toMatch(
      new RegExp(
        `^room-agent: the journal ${file} is damaged and could not be quarantined \\(.*\\)\\. A technician must make the data directory ${paths.dataDir} writable`,
      ),
    );
    // Nothing was moved or rebuilt: the file is as the damage left it.
    expect(existsSync(file)).toBe(true);
    const chinese = await runCli(['--lang', 'zh', 'run', '--config', paths.configPath], { timeoutMs: 20_000 });
    expect(expectTechnicianExit(chinese)).toContain(`日志文件 ${file} 已损坏，且无法隔离`);
  });
});
