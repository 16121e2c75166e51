import { join } from 'node:path';
import { expect } from 'vitest';
import { statusSchema, type Status } from '../../src/app/statusMethod.js';
import { startDaemon, waitForControl, writeConfig } from '../daemon/daemonProcess.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { mountTmpfs } from './mounts.js';

/**
 * A daemon's data directory on a card of its own (a tmpfs), with the control socket outside it:
 * the test reaches the daemon whatever the card's state. `storageYaml` is extra configuration.
 */
export function cardRig(prefix: string, storageYaml: string) {
  const temp = makeTempDir(prefix);
  const socketPath = join(temp.dir, 'control.sock');
  const { configPath, dataDir } = writeConfig(temp.dir, storageYaml, [`controlSocket: ${socketPath}`]);
  const cli = (...args: string[]) => runCli([...args, '--config', configPath], { timeoutMs: 30_000 });
  return {
    temp,
    configPath,
    dataDir,
    socketPath,
    cli,
    status: async (): Promise<Status> => {
      const result = await cli('status', '--json');
      expect(result.code, result.stderr).toBe(0);
      return statusSchema.parse(JSON.parse(result.stdout));
    },
    mount: (bytes: number) => mountTmpfs(dataDir, bytes),
    /** A first run on the card: creates the journal and key and records `note`, then stops cleanly. */
    async recordFirst(note: string): Promise<void> {
      const first = startDaemon(configPath);
      await waitForControl(socketPath, first);
      expect((await cli('note', note)).code).toBe(0);
      expect((await first.stop()).code).toBe(0);
    },
  };
}
