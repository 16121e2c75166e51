import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDaemon, waitForControl, writeConfig, type DaemonProcess } from '../daemon/daemonProcess.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { cardRig } from './cardRig.js';
import { mountTmpfs } from './mounts.js';

/** How long the daemon must keep running on the read-only card: several of the monitor's checks. */
const RUNS_ON_FOR_S = 8;

describe('a card the kernel remounted read-only', () => {
  // The control socket lives outside the card: a read-only card cannot hold a new one.
  const rig = cardRig('room-agent-ro-', '');
  const { temp, configPath, socketPath, cli, status } = rig;
  let card: ReturnType<typeof mountTmpfs> | undefined;
  let daemon: DaemonProcess | undefined;

  beforeAll(async () => {
    const mounted = rig.mount(8 * 1024 * 1024);
    card = mounted;
    await rig.recordFirst('on the card before it failed');
    mounted.remount('ro');
  }, 120_000);

  afterAll(async () => {
    if (daemon?.child.exitCode === null) await daemon.stop('SIGKILL');
    card?.unmount();
    temp.cleanup();
  });

  it('keeps the daemon running in the named state read-only, serving status and verify', async () => {
    daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);
    let seen = await status();
    expect(seen.storage.state).toBe('read-only');
    expect(seen.storage.advice).toMatch(/read-only file system .*: replace the card/);
    // No restart loop: the same process answers, still in that state, seconds later.
    while (seen.daemon!.uptimeSeconds < RUNS_ON_FOR_S) seen = await status();
    expect(seen.daemon!.pid).toBe(daemon.child.pid);
    expect(seen.storage.state).toBe('read-only');
    expect(seen.journal.head.seq).toBeGreaterThanOrEqual(3);

    const verified = await cli('journal', 'verify');
    expect(verified.code, verified.stderr).toBe(0);

    const refused = await cli('note', 'cannot be written');
    expect(refused.code).toBe(69);
    expect(refused.stderr).toMatch(/read-only file system/);
    expect(refused.stderr).not.toMatch(/internal error/);

    expect((await daemon.stop()).code).toBe(0);
  }, 120_000);

  it('lets `journal verify` read the journal without a daemon', async () => {
    const verified = await cli('journal', 'verify');
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/journal OK: seq 1…\d+/);
    const shown = await status();
    expect(shown.daemon).toBeNull();
    expect(shown.storage.state).toBe('read-only');
  }, 60_000);

  it('reads a journal whose daemon died while the card was writable (its -wal and -shm left behind)', async () => {
    card!.remount('rw');
    const killed = startDaemon(configPath);
    await waitForControl(socketPath, killed);
    const noted = await cli('note', 'just before the card failed');
    expect(noted.code).toBe(0);
    const notedSeq = Number(/seq (\d+)/.exec(noted.stdout)?.[1]);
    await killed.stop('SIGKILL');
    card!.remount('ro');
    const verified = await cli('journal', 'verify');
    expect(verified.code, verified.stderr).toBe(0);
    const shown = await status();
    expect(shown.storage.state).toBe('read-only');
    // The note, still only in the -wal, is read and verified too.
    expect(shown.journal.head.seq).toBe(notedSeq);
    expect(verified.stdout).toContain(`…${notedSeq}`);
  }, 120_000);
});

describe('a read-only card holding the control socket too (the default place)', () => {
  const temp = makeTempDir('room-agent-ro-socket-');
  const { configPath, dataDir } = writeConfig(temp.dir);
  let card: ReturnType<typeof mountTmpfs> | undefined;
  let daemon: DaemonProcess | undefined;
  const cli = (...args: string[]) => runCli([...args, '--config', configPath], { timeoutMs: 30_000 });

  afterAll(async () => {
    if (daemon?.child.exitCode === null) await daemon.stop('SIGKILL');
    card?.unmount();
    temp.cleanup();
  });

  it('still answers status, from the journal, while the daemon runs on', async () => {
    card = mountTmpfs(dataDir, 8 * 1024 * 1024);
    const first = startDaemon(configPath);
    await waitForControl(join(dataDir, 'control.sock'), first);
    expect((await first.stop()).code).toBe(0);
    card.remount('ro');
    daemon = startDaemon(configPath);
    const running = daemon;
    // The daemon is up once it logged its start; it cannot listen on the card.
    await vi.waitFor(() => expect(running.stdout()).toContain('room-agent running'), { timeout: 40_000 });
    const shown = await cli('status');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/no daemon answers \(on a read-only card/);
    expect(shown.stdout).toMatch(/^storage: read-only/m);
    expect(daemon.child.exitCode).toBeNull();
    expect((await daemon.stop()).code).toBe(0);
  }, 120_000);
});
