import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STATUS_REFRESH_MS } from '../../src/app/statusLine.js';
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

    // The county link first (on a loaded machine it may take longer than a STATUS refresh): then
    // the clock is the only service left to change.
    const [linkUp] = await rig.notify.waitForMatch(
      (message) => /(^|\n)STATUS=running; clock degraded \(/.test(message.text) && !/; sync \w+ \(/.test(message.text),
      'STATUS with only the clock degraded',
      1,
      30_000,
    );
    // The refresh timer ticks every STATUS_REFRESH_MS from before READY=1 was sent. The flag is
    // written just after a tick, and the new line must come before the next one: only the clock's
    // health event can have sent it, however slow the machine is otherwise.
    const ticksBefore = Math.floor((performance.now() - ready!.at) / STATUS_REFRESH_MS) + 1;
    await sleep(ready!.at + ticksBefore * STATUS_REFRESH_MS + 500 - performance.now());
    writeFileSync(syncFlag, '');
    // A second short of the next tick, so that a tick that fired a little before READY=1 arrived
    // still cannot pass for the event.
    const beforeNextTick = ready!.at + (ticksBefore + 1) * STATUS_REFRESH_MS - 1_000;
    const [synced] = await rig.notify.waitForMatch(
      (message) => /^STATUS=running; all services ok; journal head seq \d+$/.test(message.text),
      'STATUS all ok',
      1,
      STATUS_REFRESH_MS,
    );
    expect(synced!.at).toBeGreaterThan(linkUp!.at);
    expect(synced!.at).toBeLessThan(beforeNextTick);
    expect(await daemon.stop()).toMatchObject({ code: 0 });
  });
});
