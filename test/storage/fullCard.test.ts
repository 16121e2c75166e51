import { statfsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLines, openJournal, startDaemon, waitForControl, type DaemonProcess } from '../daemon/daemonProcess.js';
import { cardRig } from './cardRig.js';
import { fillToLastByte, freeFiller, type mountTmpfs } from './mounts.js';

const CARD_BYTES = 8 * 1024 * 1024;

/** The time of the daemon's first log line that `matches`, waiting for it as long as the test allows. */
async function waitForLog(daemon: DaemonProcess, matches: (line: Record<string, unknown>) => boolean): Promise<number> {
  for (;;) {
    const line = logLines(daemon.stdout()).find(matches);
    if (line !== undefined) return line.time as number;
    if (daemon.child.exitCode !== null) throw new Error(`the daemon exited:\n${daemon.stdout()}\n${daemon.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a daemon on a card filled to the last byte', () => {
  const rig = cardRig('room-agent-full-', 'storage:\n  journalReserveBytes: 65536\n');
  const { temp, configPath, dataDir, socketPath, cli, status } = rig;
  let card: ReturnType<typeof mountTmpfs> | undefined;
  let daemon: DaemonProcess | undefined;

  beforeAll(async () => {
    card = rig.mount(CARD_BYTES);
    // A first run creates the journal and records something before the card fills.
    await rig.recordFirst('before the card filled');
    fillToLastByte(dataDir);
    expect(statfsSync(dataDir).bavail).toBe(0);
  }, 120_000);

  afterAll(async () => {
    if (daemon?.child.exitCode === null) await daemon.stop('SIGKILL');
    card?.unmount();
    temp.cleanup();
  });

  it('starts, names the state disk-full, and says what to do in words', async () => {
    daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);
    const full = await status();
    expect(full.storage.state).toBe('disk-full');
    expect(full.storage.freeBytes).toBe(0);
    expect(full.storage.advice).toMatch(/is full: free space .* or replace the card/);
    expect(full.services.find((service) => service.name === 'storage')).toMatchObject({ state: 'degraded' });
    const text = await cli('status');
    expect(text.stdout).toMatch(/^storage: disk-full \(0 B free/m);

    const refused = await cli('note', 'while the card is full');
    expect(refused.code).toBe(69);
    expect(refused.stderr).toMatch(/is full: free space/);
    expect(refused.stderr).not.toMatch(/internal error/);
    expect(daemon.child.exitCode).toBeNull();
  }, 90_000);

  it('records again within 10 s of space being freed, and loses nothing recorded before', async () => {
    expect(freeFiller(dataDir)).toBeGreaterThan(0);
    const freedAtMs = Date.now();
    // Nothing waits for the monitor: the very next write goes through.
    const recorded = await cli('note', 'after the card was freed');
    expect(recorded.code, recorded.stderr).toBe(0);
    // The daemon's own log says when it saw the space: its timer, not this test's pace, decides that.
    const healedAtMs = await waitForLog(daemon!, (line) => line.msg === 'storage ok' && line.before === 'disk-full');
    expect(healedAtMs - freedAtMs).toBeLessThan(10_000);
    expect((await status()).storage.state).toBe('ok');
    // The daemon that started on the full card shares its journal again: verify reads it beside the daemon.
    await waitForLog(daemon!, (line) => line.msg === 'space is back: the journal can be read beside the daemon again');
    const verified = await cli('journal', 'verify');
    expect(verified.code, verified.stderr).toBe(0);

    expect((await daemon!.stop()).code).toBe(0);
    const journal = openJournal(dataDir, 'read');
    try {
      const notes = journal
        .read(0, 1000)
        .filter((entry) => entry.type === 'technician.note')
        .map((entry) => (entry.payload as { text: string }).text);
      expect(notes).toEqual(['before the card filled', 'after the card was freed']);
      expect(journal.verify('full').ok).toBe(true);
    } finally {
      journal.close();
    }
  }, 90_000);
});
