import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClockService } from '../../src/app/clockSync.js';
import { EventBus } from '../../src/daemon/bus.js';
import { acquireInstanceLock, type InstanceLock } from '../../src/daemon/instanceLock.js';
import { createSilentLogger } from '../../src/log.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { writeMinimalConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { openJournal, tamper } from './helpers.js';

/** Boot 'boot-b' synced at this (wall, monotonic) moment; its unsynced entry was stamped at EARLY_MONO_MS. */
const SYNC_WALL_MS = 1_700_003_600_000;
const SYNC_MONO_MS = 65_000;
const EARLY_MONO_MS = 5_000;

describe('room-agent journal', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let dataDir: string;
  /**
   * Entry 1: unsynced, of a boot that never synced. Reboot. Entry 2: unsynced, stamped with a wrong
   * wall clock; entry 3: the sync of that boot, recorded by the clock service; entries 4–5: synced.
   */
  beforeEach(() => {
    temp = makeTempDir();
    dataDir = join(temp.dir, 'data');
    const clock = new FakeClock({ state: 'unsynced' });
    const journal = openJournal(dataDir, clock);
    journal.append('signin.accepted', { memberId: 'm-1', page: 1, score: 140 });
    clock.reboot(60_000, 'boot-b');
    clock.monoMs = EARLY_MONO_MS;
    journal.append('signin.accepted', { memberId: 'm-2', page: 2, score: 142 });
    const service = new ClockService({
      clock,
      source: { name: 'test-ntp', isSynced: () => true },
      journal,
      bus: new EventBus(),
      pollSeconds: 3600,
      logger: createSilentLogger(),
    });
    clock.monoMs = SYNC_MONO_MS;
    clock.adoptWallTime(SYNC_WALL_MS);
    service.start();
    service.stop();
    for (let i = 4; i <= 5; i++) journal.append('signin.accepted', { memberId: `m-${i}`, page: i, score: 140 + i });
    journal.close();
  });
  afterEach(() => temp.cleanup());

  const writeConfig = () => writeMinimalConfig(temp.dir, dataDir);

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
      expect(result).toMatchObject({
        code: 65,
        stdout: 'journal BROKEN at seq 3: entry 3 is missing (the next entry present is seq 4)\n',
      });
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
        stderr: `room-agent: no journal at ${join(empty, 'journal.sqlite')}: point --data-dir or device.dataDir at the data directory (room-agent run creates the journal on its first start)\n`,
      });
      expect(existsSync(empty)).toBe(false);
    });
  });

  describe('export', () => {
    it('prints entries from --since on as JSON lines with their time quality', async () => {
      const result = await runCli(['journal', 'export', '--since', '1', '--data-dir', dataDir]);
      expect(result.code).toBe(0);
      const lines = result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map((line) => line.seq)).toEqual([1, 2, 3, 4, 5]);
      // Entry 1 was stamped unsynced in a boot ('boot-a') that is not this one and never synced.
      expect(lines[0]).toMatchObject({
        type: 'signin.accepted',
        payload: { memberId: 'm-1', page: 1, score: 140 },
        clock: 'unsynced',
        timeQuality: 'not-retimeable',
        retimedWallMs: 1_700_000_000_000,
      });
      // Entry 2 is placed by its boot's sync: sync wall − (sync mono − event mono); its own stamp is kept.
      expect(lines[1]).toMatchObject({
        bootId: 'boot-b',
        clock: 'unsynced',
        wallMs: 1_700_000_060_000,
        timeQuality: 'retimed',
        retimedWallMs: SYNC_WALL_MS - (SYNC_MONO_MS - EARLY_MONO_MS),
      });
      expect(lines[2]).toMatchObject({
        type: 'clock.synced',
        payload: { bootId: 'boot-b', syncWallMs: SYNC_WALL_MS, syncMonoMs: SYNC_MONO_MS },
      });
      expect(lines[3]).toMatchObject({
        clock: 'synced',
        timeQuality: 'synced',
        bootId: 'boot-b',
        retimedWallMs: SYNC_WALL_MS,
      });
      expect(Object.keys(lines[3]!).sort()).toEqual(
        [
          'bootId',
          'clock',
          'hash',
          'id',
          'keyId',
          'monoMs',
          'payload',
          'prevHash',
          'retimedWallMs',
          'seq',
          'signature',
          'timeQuality',
          'type',
          'wallMs',
        ].sort(),
      );
      const later = await runCli(['journal', 'export', '--since', '4', '--data-dir', dataDir]);
      expect(
        later.stdout
          .trimEnd()
          .split('\n')
          .map((line) => (JSON.parse(line) as { seq: number }).seq),
      ).toEqual([4, 5]);
    });

    it('writes to --out and says how many', async () => {
      const out = join(temp.dir, 'export.jsonl');
      const result = await runCli(['journal', 'export', '--since', '2', '--out', out, '--data-dir', dataDir]);
      expect(result).toMatchObject({ code: 0, stdout: '', stderr: `exported 4 entries to ${out}\n` });
      expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(4);
    });

    it('names the file and the reason when --out cannot be created, and exits 73', async () => {
      const out = join(temp.dir, 'no-such-dir', 'export.jsonl');
      const result = await runCli(['journal', 'export', '--out', out, '--data-dir', dataDir]);
      expect(result).toMatchObject({
        code: 73,
        stdout: '',
        stderr: `room-agent: journal export: cannot create ${out}: its directory does not exist\n`,
      });
      const zh = await runCli(['journal', 'export', '--out', temp.dir, '--data-dir', dataDir], {
        env: { ROOM_AGENT_LANG: 'zh' },
      });
      expect(zh).toMatchObject({
        code: 73,
        stdout: '',
        stderr: `room-agent: journal export：无法创建 ${temp.dir}：这是一个目录\n`,
      });
    });

    it('refuses a --since that is not a seq', async () => {
      const result = await runCli(['journal', 'export', '--since', 'yesterday', '--data-dir', dataDir]);
      expect(result).toMatchObject({
        code: 64,
        stderr: 'room-agent: journal export: --since must be a whole number ≥ 0, got "yesterday"\n',
      });
    });
  });

  describe('rotate-key', () => {
    let lock: InstanceLock | undefined;
    afterEach(async () => {
      await lock?.release();
      lock = undefined;
    });

    it('rotates the key, and the chain still verifies', async () => {
      const result = await runCli(['journal', 'rotate-key', '--config', writeConfig()]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^device key rotated: [0-9a-f]{16} → [0-9a-f]{16} \(journal seq 6\)\n$/);
      const verify = await runCli(['journal', 'verify', '--data-dir', dataDir]);
      expect(verify.stdout).toBe('journal OK: seq 1…6, 6 entries\n');
    });

    it('refuses while a daemon holds the data directory, and exits 69', async () => {
      lock = await acquireInstanceLock(dataDir);
      expect(lock).toBeDefined();
      const result = await runCli(['journal', 'rotate-key', '--config', writeConfig()]);
      expect(result).toMatchObject({
        code: 69,
        stdout: '',
        stderr: `room-agent: the daemon is running on ${dataDir}; stop it first (systemctl stop room-agent), then run room-agent journal rotate-key again\n`,
      });
      const verify = await runCli(['journal', 'verify', '--data-dir', dataDir]);
      expect(verify.stdout).toBe('journal OK: seq 1…5, 5 entries\n');
    });
  });
});
