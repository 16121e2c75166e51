import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { startDaemon, writeConfig } from './daemonProcess.js';
import { useNotifyRig } from './notifySocket.js';

describe('systemd STATUS=', () => {
  const rig = useNotifyRig();
  let broker: Mosquitto | undefined;
  afterEach(async () => {
    await broker?.stop();
  });

  it('follows a service whose health changes on its own: the clock becoming synchronised', async () => {
    const syncFlag = join(rig.temp.dir, 'synchronized');
    // A real broker: 'all services ok' includes the county link.
    broker = await startMosquitto();
    const { configPath } = writeConfig(
      rig.temp.dir,
      `clock:\n  syncFlagPath: ${syncFlag}\n  pollSeconds: 1\n`,
      [],
      broker.url,
    );
    const daemon = startDaemon(configPath, { NOTIFY_SOCKET: rig.notify.path });
    const [ready] = await rig.notify.waitFor('READY=1');
    expect(ready!.text).toMatch(
      /\nSTATUS=running; clock degraded \(wall clock not synchronised yet .*\); (sync (starting|degraded) \(.*\); )?journal head seq \d+$/,
    );

    writeFileSync(syncFlag, '');
    const [synced] = await rig.notify.waitForMatch(
      (message) => /^STATUS=running; all services ok; journal head seq \d+$/.test(message.text),
      'STATUS all ok',
      1,
      5_000,
    );
    expect(synced!.at).toBeGreaterThan(ready!.at);
    expect(await daemon.stop()).toMatchObject({ code: 0 });
  });
});
