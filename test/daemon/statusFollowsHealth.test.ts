import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { startDaemon, writeConfig } from './daemonProcess.js';
import { FakeNotifySocket } from './notifySocket.js';

describe('systemd STATUS=', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let notify: FakeNotifySocket;
  beforeEach(() => {
    temp = makeTempDir();
    notify = new FakeNotifySocket(temp.dir);
  });
  afterEach(() => {
    notify.close();
    temp.cleanup();
  });

  it('follows a service whose health changes on its own: the clock becoming synchronised', async () => {
    const syncFlag = join(temp.dir, 'synchronized');
    const { configPath } = writeConfig(temp.dir, `clock:\n  syncFlagPath: ${syncFlag}\n  pollSeconds: 1\n`);
    const daemon = startDaemon(configPath, { NOTIFY_SOCKET: notify.path });
    const [ready] = await notify.waitFor('READY=1');
    expect(ready!.text).toMatch(/\nSTATUS=running; clock degraded \(wall clock not synchronised yet .*\); journal head seq \d+$/);

    writeFileSync(syncFlag, '');
    const [synced] = await notify.waitForMatch((message) => /^STATUS=running; all services ok; journal head seq \d+$/.test(message.text), 'STATUS all ok', 1, 5_000);
    expect(synced!.at).toBeGreaterThan(ready!.at);
    expect(await daemon.stop()).toMatchObject({ code: 0 });
  });
});
