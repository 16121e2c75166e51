import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemon, writeConfig } from './daemonProcess.js';
import { useNotifyRig } from './notifySocket.js';

describe('systemd STATUS=', () => {
  const rig = useNotifyRig();

  it('follows a service whose health changes on its own: the clock becoming synchronised', async () => {
    const syncFlag = join(rig.temp.dir, 'synchronized');
    const { configPath } = writeConfig(rig.temp.dir, `clock:\n  syncFlagPath: ${syncFlag}\n  pollSeconds: 1\n`);
    const daemon = startDaemon(configPath, { NOTIFY_SOCKET: rig.notify.path });
    const [ready] = await rig.notify.waitFor('READY=1');
    expect(ready!.text).toMatch(/\nSTATUS=running; clock degraded \(wall clock not synchronised yet .*\); journal head seq \d+$/);

    writeFileSync(syncFlag, '');
    const [synced] = await rig.notify.waitForMatch((message) => /^STATUS=running; all services ok; journal head seq \d+$/.test(message.text), 'STATUS all ok', 1, 5_000);
    expect(synced!.at).toBeGreaterThan(ready!.at);
    expect(await daemon.stop()).toMatchObject({ code: 0 });
  });
});
