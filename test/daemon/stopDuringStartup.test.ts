import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { instanceLockName } from '../../src/daemon/instanceLock.js';
import { openJournal, startDaemon, writeConfig } from './daemonProcess.js';
import { useNotifyRig } from './notifySocket.js';

/** Entries left unverified, so that the daemon's start spends a while verifying them. */
const UNVERIFIED_ENTRIES = 10_000;

async function waitForLockHolder(dataDir: string, timeoutMs = 15_000): Promise<void> {
  const name = `@${instanceLockName(dataDir)}`;
  const deadline = Date.now() + timeoutMs;
  while (!readFileSync('/proc/net/unix', 'utf8').includes(name)) {
    if (Date.now() > deadline) throw new Error(`no process took the instance lock ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('a stop signal during start-up', () => {
  const rig = useNotifyRig();

  it('is never followed by READY=1: systemd sees STOPPING=1 and a clean exit', async () => {
    const { configPath, dataDir } = writeConfig(rig.temp.dir);
    const journal = openJournal(dataDir, 'create');
    journal.transaction((tx) => {
      for (let i = 0; i < UNVERIFIED_ENTRIES; i++) tx.append('signin.accepted', { memberId: `m-${i}`, page: i });
    });
    journal.close();
    const daemon = startDaemon(configPath, { NOTIFY_SOCKET: rig.notify.path });
    // The lock is taken right before the journal is opened and verified: the signal comes meanwhile.
    await waitForLockHolder(dataDir);
    daemon.child.kill('SIGTERM');

    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(rig.notify.with('STOPPING=1')).toHaveLength(1);
    expect(rig.notify.with('READY=1')).toEqual([]);
  });
});
