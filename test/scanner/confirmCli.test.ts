import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { insertFinger } from '../../src/members/fingerRows.js';
import { MemberStore } from '../../src/members/store.js';
import { scannerInfoSchema } from '../../src/scanner/methods.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { ModuleEmulator } from '../helpers/emulator.js';
import { openJournal, startDaemon, waitForControl, writeConfig } from '../daemon/daemonProcess.js';
import { stringContaining } from '../helpers/matchers.js';

/** Polls the daemon's scanner.info until the scanner reaches `state`. */
async function scannerReaches(socketPath: string, state: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const info = scannerInfoSchema.parse(await callDaemon(socketPath, 'scanner.info', {}, { timeoutMs: 10_000 }));
    if (info.state === state) return;
    if (Date.now() > deadline) throw new Error(`scanner still ${info.state} (${info.detail}), not ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('scanner confirm', () => {
  it('re-binds a swapped module through the running daemon, and standalone when none runs', async () => {
    const temp = makeTempDir('room-agent-confirm-');
    const devices = join(temp.dir, 'dev');
    mkdirSync(devices);
    let emulator = await ModuleEmulator.start({ family: 'r30x', dir: devices, powerOnDelayMs: 0 });
    try {
      const { configPath, dataDir, socketPath } = writeConfig(
        temp.dir,
        `scanner:\n  driver: r30x\n  path: ${emulator.path}\n  pollIntervalMs: 50\n`,
      );
      const journal = openJournal(dataDir, 'create');
      new MemberStore(journal).upsertMembers(
        [{ memberId: 'm-041', name: 'Feng', role: 'member', status: 'active' }],
        'cli',
        'test',
      );
      journal.transaction((tx) =>
        insertFinger(tx.db, {
          memberId: 'm-041',
          finger: 'right-index',
          slot: 0,
          moduleFamily: 'r30x',
          templateSize: 512,
          enrolledSeq: 1,
        }),
      );
      journal.close();
      const cli = (...args: string[]) => runCli([...args, '--config', configPath]);

      // The first module is bound by the daemon's first connection.
      let daemon = startDaemon(configPath);
      await waitForControl(socketPath, daemon);
      await scannerReaches(socketPath, 'connected');
      expect((await daemon.stop()).code).toBe(0);

      // Swapped for a factory-new module: refused, with the alarm, until a technician confirms it.
      await emulator.stop();
      emulator = await ModuleEmulator.start({ family: 'r30x', dir: devices, powerOnDelayMs: 0 });
      daemon = startDaemon(configPath);
      await waitForControl(socketPath, daemon);
      await scannerReaches(socketPath, 'refused');
      const status = await cli('status');
      expect(status.stdout).toMatch(/scanner\s+degraded\s+refused: a new or reset module is attached/);
      expect(await cli('scanner', 'confirm')).toMatchObject({
        code: 64,
        stderr: stringContaining('--operator NAME is required'),
      });
      const confirmed = await cli('scanner', 'confirm', '--operator', 'tech-li');
      expect(confirmed.stderr).toBe('');
      expect(confirmed.stdout).toContain('Confirmed and bound the new module');
      expect(confirmed.stdout).toContain(
        're-enroll those members (room-agent enroll) or write the backups into the new module with room-agent scanner restore',
      );
      expect((await cli('scanner', 'info')).stdout).toMatch(
        /^scanner: connected \(driver r30x\)\nmodule: R30x-compatible.*162 slots, 57600 baud, 0 templates stored\nfingers on the roster: 1\nbound to: r30x module/,
      );
      expect((await daemon.stop()).code).toBe(0);

      // Swapped again while no daemon runs: the CLI opens the module itself.
      await emulator.stop();
      emulator = await ModuleEmulator.start({ family: 'r30x', dir: devices, powerOnDelayMs: 0 });
      const standalone = await cli('scanner', 'confirm', '--operator', 'tech-wang');
      expect(standalone).toMatchObject({
        code: 0,
        stdout: stringContaining('Confirmed and bound the new module'),
      });

      const check = openJournal(dataDir, 'read');
      const types = check
        .read(0, 1000)
        .map((entry) => entry.type)
        .filter((type) => type.startsWith('scanner.'));
      const confirmations = check
        .read(0, 1000)
        .filter((entry) => entry.type === 'scanner.module_confirmed')
        .map((entry) => (entry.payload as { operator: string }).operator);
      check.close();
      expect(types).toEqual([
        'scanner.bound',
        'scanner.module_mismatch',
        'scanner.module_confirmed',
        'scanner.module_mismatch',
        'scanner.module_confirmed',
      ]);
      expect(confirmations).toEqual(['tech-li', 'tech-wang']);
    } finally {
      await emulator.stop();
      temp.cleanup();
    }
  });
});
