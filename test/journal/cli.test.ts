import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { FakeClock, openJournal, tamper } from './helpers.js';

describe('room-agent journal', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let dataDir: string;
  beforeEach(() => {
    temp = makeTempDir();
    dataDir = join(temp.dir, 'data');
    const clock = new FakeClock();
    const journal = openJournal(dataDir, clock);
    clock.state = 'unsynced';
    journal.append('signin.accepted', { memberId: 'm-1', page: 1, score: 140 });
    clock.state = 'synced';
    for (let i = 2; i <= 5; i++) journal.append('signin.accepted', { memberId: `m-${i}`, page: i, score: 140 + i });
    journal.close();
  });
  afterEach(() => temp.cleanup());

  function writeConfig(): string {
    const file = join(temp.dir, 'config.yaml');
    writeFileSync(file, `version: 1\ndevice:\n  id: room-test\n  dataDir: ${dataDir}\ncounty:\n  url: mqtt://127.0.0.1:1883\n`);
    return file;
  }

  describe('verify', () => {
    it('reports an intact chain and exits 0', async () => {
      const result = await runCli(['journal', 'verify', '--data-dir', dataDir]);
      expect(result).toMatchObject({ code: 0, stdout: 'journal OK: seq 1…5, 5 entries\n', stderr: '' });
    });

    it('reports in Chinese', async () => {
      const result = await runCli(['journal', 'verify', '--data-dir', dataDir], { env: { ROOM_AGENT_LANG: 'zh' } });
      expect(result).toMatchObject({ code: 0, stdout: '日志完好：seq 1…5，共 5 条\n' });
    });

    it('names the first broken seq and exits 65', async () => {
      tamper(dataDir, (db) => db.prepare('DELETE FROM events WHERE seq = 3').run());
      const result = await runCli(['journal', 'verify', '--data-dir', dataDir]);
      expect(result).toMatchObject({ code: 65, stdout: 'journal BROKEN at seq 3: entry 3 is missing (the next entry present is seq 4)\n' });
    });

    it('reads the data directory from the configuration', async () => {
      const result = await runCli(['journal', 'verify', '--config', writeConfig()]);
      expect(result).toMatchObject({ code: 0, stdout: 'journal OK: seq 1…5, 5 entries\n' });
    });

    it('says where it looked when there is no journal, and creates none', async () => {
      const empty = join(temp.dir, 'empty');
      const result = await runCli(['journal', 'verify', '--data-dir', empty]);
      expect(result).toMatchObject({
        code: 65,
        stdout: '',
        stderr: `room-agent: no journal at ${join(empty, 'journal.sqlite')}: point --data-dir or device.dataDir at the data directory\n`,
      });
      expect(existsSync(empty)).toBe(false);
    });
  });

  describe('export', () => {
    it('prints entries from --since on as JSON lines with their time quality', async () => {
      const result = await runCli(['journal', 'export', '--since', '1', '--data-dir', dataDir]);
      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map((line) => line.seq)).toEqual([1, 2, 3, 4, 5]);
      // Entry 1 was stamped unsynced in a boot ('boot-a') that is not this one and never synced.
      expect(lines[0]).toMatchObject({ type: 'signin.accepted', payload: { memberId: 'm-1', page: 1, score: 140 }, clock: 'unsynced', timeQuality: 'not-retimeable', retimedWallMs: 1_700_000_000_000 });
      expect(lines[1]).toMatchObject({ clock: 'synced', timeQuality: 'synced', bootId: 'boot-a' });
      expect(Object.keys(lines[1]!).sort()).toEqual(
        ['bootId', 'clock', 'hash', 'id', 'keyId', 'monoMs', 'payload', 'prevHash', 'retimedWallMs', 'seq', 'signature', 'timeQuality', 'type', 'wallMs'].sort(),
      );
      const later = await runCli(['journal', 'export', '--since', '4', '--data-dir', dataDir]);
      expect(later.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([4, 5]);
    });

    it('writes to --out and says how many', async () => {
      const out = join(temp.dir, 'export.jsonl');
      const result = await runCli(['journal', 'export', '--since', '2', '--out', out, '--data-dir', dataDir]);
      expect(result).toMatchObject({ code: 0, stdout: '', stderr: `exported 4 entries to ${out}\n` });
      expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(4);
    });

    it('refuses a --since that is not a seq', async () => {
      const result = await runCli(['journal', 'export', '--since', 'yesterday', '--data-dir', dataDir]);
      expect(result).toMatchObject({ code: 64, stderr: 'room-agent: journal export: --since must be a whole number ≥ 0, got "yesterday"\n' });
    });
  });

  describe('rotate-key', () => {
    let server: Server | undefined;
    afterEach(async () => {
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
      server = undefined;
    });

    it('rotates the key, and the chain still verifies', async () => {
      const result = await runCli(['journal', 'rotate-key', '--config', writeConfig()]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^device key rotated: [0-9a-f]{16} → [0-9a-f]{16} \(journal seq 6\)\n$/);
      const verify = await runCli(['journal', 'verify', '--data-dir', dataDir]);
      expect(verify.stdout).toBe('journal OK: seq 1…6, 6 entries\n');
    });

    it('refuses while a daemon answers on the control socket, and exits 69', async () => {
      const socket = join(dataDir, 'control.sock');
      server = createServer((connection) => connection.end());
      await new Promise<void>((resolve) => server!.listen(socket, resolve));
      const result = await runCli(['journal', 'rotate-key', '--config', writeConfig()]);
      expect(result).toMatchObject({
        code: 69,
        stdout: '',
        stderr: `room-agent: the daemon is running (the control socket ${socket} answers); stop it first (systemctl stop room-agent), then run room-agent journal rotate-key again\n`,
      });
      const verify = await runCli(['journal', 'verify', '--data-dir', dataDir]);
      expect(verify.stdout).toBe('journal OK: seq 1…5, 5 entries\n');
    });
  });
});
