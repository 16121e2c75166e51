import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { openJournal, startDaemon, waitForControl, writeConfig } from '../daemon/daemonProcess.js';
import { stringContaining } from '../helpers/matchers.js';

describe('the no-hardware demo (scanner.driver emulator)', () => {
  it('runs the R30x emulator on a pty, signs in through it, and takes fingers from the CLI', async () => {
    const temp = makeTempDir('room-agent-demo-');
    try {
      const { configPath, dataDir, socketPath } = writeConfig(
        temp.dir,
        'scanner:\n  driver: emulator\n  pollIntervalMs: 50\n',
      );
      const cli = (...args: string[]) => runCli([...args, '--config', configPath]);
      const daemon = startDaemon(configPath);
      try {
        await waitForControl(socketPath, daemon);
        expect(existsSync(join(dataDir, 'emulator.tty'))).toBe(true);
        expect(await cli('scanner', 'emulate', 'place')).toMatchObject({
          code: 64,
          stderr: stringContaining('scanner emulate place FINGER | lift'),
        });
        expect(await cli('scanner', 'emulate', 'place', 'visitor-right-index')).toMatchObject({
          code: 0,
          stdout: 'placed finger visitor-right-index on the emulated sensor\n',
        });

        const deadline = Date.now() + 10_000;
        let unknown: unknown[] = [];
        let started: unknown[] = [];
        while (unknown.length === 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          const journal = openJournal(dataDir, 'read');
          const entries = journal.read(0, 1000);
          unknown = entries.filter((entry) => entry.type === 'signin.unknown').map((entry) => entry.payload);
          started = entries.filter((entry) => entry.type === 'agent.started').map((entry) => entry.payload);
          journal.close();
        }
        // Demo records say so in their signed payload, and the start names the driver.
        expect(unknown).toEqual([{ activityId: null, reason: 'no-match', emulated: true }]);
        expect(started).toEqual([expect.objectContaining({ scannerDriver: 'emulator' })]);
        expect(await cli('scanner', 'emulate', 'lift')).toMatchObject({ code: 0 });
        expect((await cli('scanner', 'info')).stdout).toMatch(
          /^scanner: connected \(driver emulator\)\nmodule: R30x-compatible/,
        );
      } finally {
        expect((await daemon.stop()).code).toBe(0);
      }
      // The emulator went with the daemon.
      expect(existsSync(join(dataDir, 'emulator.tty'))).toBe(false);
      expect(await cli('scanner', 'emulate', 'lift')).toMatchObject({
        code: 69,
        stderr: stringContaining('start it with room-agent run'),
      });
    } finally {
      temp.cleanup();
    }
  });
});
