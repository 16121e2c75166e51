import { describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, enroll, fingerName, OPERATOR, useRooms, type Room } from '../enrollment/room.js';
import { objectContaining } from '../helpers/matchers.js';

/** What the journal and the tables hold, read beside the running daemon. */
function stored(room: Room): { entries: JournalEntry[]; fingers: number; backups: number } {
  const journal = openJournal(room.dataDir, 'read');
  try {
    const count = (table: string): number =>
      (journal.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { entries: journal.read(0, 10_000), fingers: count('fingers'), backups: count('template_backups') };
  } finally {
    journal.close();
  }
}

async function until(
  condition: () => boolean | Promise<boolean>,
  description: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`no ${description} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function scannerState(room: Room): Promise<string> {
  const info = (await callDaemon(room.socketPath, 'scanner.info', {}, { timeoutMs: 15_000 })) as { state: string };
  return info.state;
}

/**
 * The cable is pulled while the daemon reads the new template back from the module (the R30x
 * UpChar data packets). The enrollment must fail with a clear error and keep nothing: a member
 * row without its backup, or a backup of half a template, would be worse than no enrollment.
 * After the replug the same finger enrolls cleanly and signs its member in.
 */
describe('an enrollment whose cable is pulled during the template read-back (r30x)', () => {
  const rooms = useRooms();

  it('fails clearly, stores nothing, and succeeds when tried again after the replug', async () => {
    // A ZFM-20 sends its 512-byte template in four 128-byte data packets.
    const room = await rooms.open('r30x', { model: 'zfm20', packetSize: 128 });
    await rooms.daemon(room);
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);
    await until(async () => (await scannerState(room)) === 'connected', 'connected scanner');

    await room.emulator.unplugAfterDataPackets(2);
    const failed = await enroll(room, 'M001', 'right-index');
    expect(room.emulator.commandCount('UpChar')).toBe(1);
    expect(failed.code).not.toBe(0);
    // The technician learns why: the module went away, not that the finger was bad.
    expect(failed.stderr).toMatch(
      /^room-agent: enroll: the fingerprint module failed: the fingerprint module on serial \S+ was disconnected\n$/,
    );

    const afterFailure = stored(room);
    expect(afterFailure.entries.filter((entry) => entry.type === 'member.enrolled')).toHaveLength(0);
    expect([afterFailure.fingers, afterFailure.backups]).toEqual([0, 0]);
    expect(await scannerState(room)).toBe('disconnected');

    await room.emulator.replug();
    await until(async () => (await scannerState(room)) === 'connected', 'reconnection after the replug');

    const retried = await enroll(room, 'M001', 'right-index');
    expect(retried.stderr).toBe('');
    expect(retried.code).toBe(0);
    const afterRetry = stored(room);
    const enrolled = afterRetry.entries.filter((entry) => entry.type === 'member.enrolled');
    expect(enrolled.map((entry) => entry.payload)).toEqual([
      objectContaining({ memberId: 'M001', finger: 'right-index', moduleFamily: 'r30x' }),
    ]);
    expect([afterRetry.fingers, afterRetry.backups]).toEqual([1, 1]);

    // The sign-in loop looks at an empty sensor before the member comes to sign in.
    await room.emulator.waitForCommand('GenImg', 10_000, room.emulator.commandCount('GenImg') + 1);
    const before = afterRetry.entries.at(-1)!.seq;
    await room.emulator.place(fingerName('M001', 'right-index'));
    await until(
      () => stored(room).entries.some((entry) => entry.seq > before && entry.type === 'signin.accepted'),
      'sign-in',
    );
    await room.emulator.lift();
    const signIns = stored(room).entries.filter((entry) => entry.type === 'signin.accepted');
    expect(signIns.map((entry) => entry.payload)).toEqual([
      objectContaining({ memberId: 'M001', slot: (enrolled[0]!.payload as { slot: number }).slot }),
    ]);
  });
});
