import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { statusSchema } from '../../src/app/statusMethod.js';
import { overrideFiles } from '../../src/config/overrideFiles.js';
import { openJournal, startDaemon, waitForControl, writeConfig } from './daemonProcess.js';
import { useNotifyRig } from './notifySocket.js';
import { stringMatching } from '../helpers/matchers.js';

describe('a remote override that keeps a service from starting', () => {
  const rig = useNotifyRig();

  it('is reverted when the trial window ends, journaled, and the daemon exits 1 to be restarted on the last good one', async () => {
    const { configPath, dataDir, socketPath } = writeConfig(rig.temp.dir, '', ['configTrialSeconds: 5']);
    const files = overrideFiles(dataDir);
    mkdirSync(files.directory, { recursive: true });
    const lastGood = 'journal:\n  retentionDays: 30\n';
    // A control socket in a directory that does not exist: the control service retries for ever.
    const broken = `${lastGood}device:\n  controlSocket: ${join(rig.temp.dir, 'missing', 'control.sock')}\n`;
    writeFileSync(files.lastGood, lastGood);
    writeFileSync(files.override, broken);

    const daemon = startDaemon(configPath, { NOTIFY_SOCKET: rig.notify.path });
    await rig.notify.waitFor('READY=1');
    const exit = await daemon.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    expect(rig.notify.with('STOPPING=1')).toHaveLength(1);

    expect(readFileSync(files.rejected, 'utf8')).toBe(broken);
    expect(readFileSync(files.override, 'utf8')).toBe(lastGood);
    expect(existsSync(files.trial)).toBe(false);
    const journal = openJournal(dataDir);
    try {
      const events = journal.read(0, 100);
      expect(events.filter((entry) => entry.type === 'config.reverted').map((entry) => entry.payload)).toEqual([
        {
          code: 'override-broke-service',
          problems: [stringMatching(/^control: start failed: listen E[A-Z]+: .*; retrying in \d+ s$/)],
        },
      ]);
      expect(events.at(-1)).toMatchObject({ type: 'agent.stopped', payload: { reason: 'config-reverted' } });
    } finally {
      journal.close();
    }

    // What systemd's restart gets: the last good override, without a second revert.
    const restarted = startDaemon(configPath);
    await waitForControl(socketPath, restarted);
    const status = statusSchema.parse(await callDaemon(socketPath, 'status', {}));
    expect(status.config.overrideActive).toBe(true);
    expect(await restarted.stop()).toMatchObject({ code: 0 });
    expect(readFileSync(files.override, 'utf8')).toBe(lastGood);
  });
});
