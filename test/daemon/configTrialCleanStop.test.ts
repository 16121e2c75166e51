import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectConfig } from '../../src/config/load.js';
import { overrideFiles } from '../../src/config/overrideFiles.js';
import { startDaemon, waitForControl, writeConfig } from './daemonProcess.js';
import { useNotifyRig } from './notifySocket.js';

/**
 * systemctl stop (or a reboot) during the trial of a new override is neither a success nor a
 * failure of the override: only a crash or a hang may get it reverted at the next start.
 */
describe('a clean stop during the trial of a new remote override', () => {
  const rig = useNotifyRig();

  /** A room whose trial window is far longer than the test. */
  function room(override: string) {
    const room = writeConfig(rig.temp.dir, '', ['configTrialSeconds: 600']);
    const files = overrideFiles(room.dataDir);
    mkdirSync(files.directory, { recursive: true });
    writeFileSync(files.override, override);
    return { ...room, files };
  }

  it('confirms the override when every service had started', async () => {
    const override = 'journal:\n  retentionDays: 30\n';
    const { configPath, socketPath, files } = room(override);
    const daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);
    expect(existsSync(files.trial)).toBe(true);

    expect(await daemon.stop()).toMatchObject({ code: 0 });
    expect(readFileSync(files.lastGood, 'utf8')).toBe(override);
    expect(existsSync(files.trial)).toBe(false);
    const next = inspectConfig(configPath, { env: {} });
    expect(next.reverted).toBeUndefined();
    expect(next.config.journal.retentionDays).toBe(30);
  });

  it('leaves the override to be tried again at the next start when a service had not started', async () => {
    // The control socket's directory does not exist: the control service keeps retrying.
    const override = `device:\n  controlSocket: ${join(rig.temp.dir, 'missing', 'control.sock')}\n`;
    const { configPath, files } = room(override);
    const daemon = startDaemon(configPath, { NOTIFY_SOCKET: rig.notify.path });
    const [ready] = await rig.notify.waitFor('READY=1');
    expect(ready!.text).toContain('control degraded');

    expect(await daemon.stop()).toMatchObject({ code: 0 });
    expect(readFileSync(files.override, 'utf8')).toBe(override);
    expect(existsSync(files.trial)).toBe(false);
    expect(existsSync(files.lastGood)).toBe(false);
    expect(existsSync(files.rejected)).toBe(false);
    const next = inspectConfig(configPath, { env: {} });
    expect(next.reverted).toBeUndefined();
    expect(next.overrideActive).toBe(true);
  });
});
