import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { callDaemon } from '../../src/control/client.js';
import { startDaemon, writeConfig } from './daemonProcess.js';
import { useNotifyRig } from './notifySocket.js';
import { arrayContaining, objectContaining } from '../helpers/matchers.js';

describe('a service that cannot start', () => {
  const rig = useNotifyRig();
  let broker: Mosquitto | undefined;
  afterEach(async () => {
    await broker?.stop();
  });

  it('is reported degraded while the daemon still becomes READY, and recovers by itself', async () => {
    const socketDir = join(rig.temp.dir, 'not-yet');
    const socketPath = join(socketDir, 'control.sock');
    const syncFlag = join(rig.temp.dir, 'synchronized');
    writeFileSync(syncFlag, '');
    // A real broker: 'all services ok' includes the county link.
    broker = await startMosquitto();
    const { configPath } = writeConfig(
      rig.temp.dir,
      `clock:\n  syncFlagPath: ${syncFlag}\n`,
      [`controlSocket: ${socketPath}`],
      broker.url,
    );
    const daemon = startDaemon(configPath, { NOTIFY_SOCKET: rig.notify.path });

    const [ready] = await rig.notify.waitFor('READY=1');
    expect(ready!.text).toMatch(
      /^READY=1\nSTATUS=running; (sync (starting|degraded) \(.*\); )?control degraded \(start failed: listen E[A-Z]+: [^)]*; retrying in 1 s\); journal head seq \d+$/,
    );

    mkdirSync(socketDir);
    await rig.notify.waitForMatch(
      (message) => /^STATUS=running; all services ok; journal head seq \d+$/.test(message.text),
      'STATUS all ok',
      1,
      10_000,
    );
    // scanner.driver none (writeConfig's default): sign-in says it is manual only, not that it polls.
    const signin = { name: 'signin', state: 'ok', detail: 'manual sign-in only (scanner.driver none)' };
    expect(await callDaemon(socketPath, 'status', {})).toMatchObject({
      services: arrayContaining([{ name: 'control', state: 'ok' }, objectContaining(signin)]),
    });
    expect(await daemon.stop()).toMatchObject({ code: 0 });
  });
});
