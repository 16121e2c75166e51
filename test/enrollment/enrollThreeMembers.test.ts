import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/journal/types.js';
import { logLines, openJournal } from '../daemon/daemonProcess.js';
import { MemberStore } from '../../src/members/store.js';
import { enroll, fingerName, OPERATOR, useRooms, type Room } from './room.js';
import { objectContaining } from '../helpers/matchers.js';

const MEMBERS = [
  { memberId: 'M001', name: '王建国', fingers: ['right-index', 'left-index'] },
  { memberId: 'M002', name: '李秀英', fingers: ['right-thumb'] },
  { memberId: 'M003', name: '张卫东', fingers: ['right-middle'] },
];

function journalEntries(room: Room): JournalEntry[] {
  const journal = openJournal(room.dataDir, 'read');
  try {
    return journal.read(0, 10_000);
  } finally {
    journal.close();
  }
}

/** Polls the journal (read-only, beside the daemon) for an entry of `type` after `afterSeq`. */
async function nextEntry(room: Room, type: string, afterSeq: number, timeoutMs = 20_000): Promise<JournalEntry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = journalEntries(room).find((entry) => entry.seq > afterSeq && entry.type === type);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no ${type} entry after seq ${afterSeq} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * On each module family, over a real pty, with the daemon running: three members, one with two
 * fingers, are enrolled through the control socket (the prompts reach the CLI as progress lines
 * and the test places and lifts the finger as told); each finger then signs its member in
 * through the daemon's sign-in loop. The journal says who enrolled whom, with consent; the
 * templates are backed up and never logged nor sent anywhere.
 */
describe.each(['r30x', 'gt521'] as const)('enrolling three members through the daemon (%s)', (family) => {
  const rooms = useRooms();

  it('guides each enrollment, stores each finger in its own slot, and each finger then signs its member in', async () => {
    // No repeat window: the second finger of a member signs in again.
    const room = await rooms.open(family, { scannerKeys: ['signInWindowMinutes: 0', 'pollIntervalMs: 50'] });
    // The roster is written as `members add` writes it (test/members covers that command): three
    // CLI processes fewer, each seconds of loading on a busy machine, before the daemon starts.
    const roster = openJournal(room.dataDir);
    try {
      new MemberStore(roster).upsertMembers(
        MEMBERS.map(({ memberId, name }) => ({ memberId, name, role: 'member', status: 'active' })),
        'cli',
        OPERATOR,
      );
    } finally {
      roster.close();
    }
    const daemon = await rooms.daemon(room);
    const scans = family === 'r30x' ? 2 : 3;
    for (const { memberId, fingers } of MEMBERS) {
      for (const finger of fingers) {
        const result = await enroll(room, memberId, finger);
        expect(result.stderr).toBe('');
        expect(result.prompts.slice(0, 4)).toEqual([
          `Place the finger flat on the sensor (scan 1 of ${scans})`,
          `Captured (scan 1 of ${scans})`,
          'Lift the finger',
          `Place the same finger again (scan 2 of ${scans})`,
        ]);
        expect(result.prompts.at(-1)).toMatch(
          new RegExp(
            `^Enrolled ${finger} of member ${memberId}: module slot \\d+ \\(${family}, \\d+-byte template\\); an encrypted backup is kept on this device`,
          ),
        );
        expect(result.code).toBe(0);
      }
    }

    const journal = openJournal(room.dataDir, 'read');
    const fingers = journal.db
      .prepare('SELECT slot, member_id AS memberId, finger FROM fingers ORDER BY slot')
      .all() as Array<{ slot: number; memberId: string; finger: string }>;
    const count = (table: string): number =>
      (journal.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const [backups, escrowed] = [count('template_backups'), count('template_escrow')];
    journal.close();
    expect(fingers.map(({ memberId, finger }) => `${memberId} ${finger}`).sort()).toEqual(
      MEMBERS.flatMap(({ memberId, fingers }) => fingers.map((finger) => `${memberId} ${finger}`)).sort(),
    );
    expect(new Set(fingers.map((row) => row.slot)).size).toBe(4);
    expect(backups).toBe(4);
    // Escrow is off unless the county turns it on: no template leaves the device.
    expect(escrowed).toBe(0);
    const enrolled = journalEntries(room).filter((entry) => entry.type === 'member.enrolled');
    expect(enrolled.map((entry) => entry.payload)).toEqual(
      fingers.map((row) =>
        objectContaining({
          memberId: row.memberId,
          finger: row.finger,
          slot: row.slot,
          moduleFamily: family,
          operator: OPERATOR,
          consent: true,
        }),
      ),
    );

    // Each finger comes after the sign-in loop saw the sensor empty (after an enrollment it waits
    // for the last scan's finger to leave, and a member lifts before the next one places).
    const poll = family === 'r30x' ? 'GenImg' : 'IsPressFinger';
    const sensorSeenEmpty = (): Promise<number> =>
      room.emulator.waitForCommand(poll, 20_000, room.emulator.commandCount(poll) + 1);
    await sensorSeenEmpty();
    for (const row of fingers) {
      const before = journalEntries(room).at(-1)!.seq;
      await room.emulator.place(fingerName(row.memberId, row.finger));
      const signIn = await nextEntry(room, 'signin.accepted', before);
      await room.emulator.lift();
      await sensorSeenEmpty();
      expect(signIn.payload).toMatchObject({ memberId: row.memberId, slot: row.slot, method: 'fingerprint' });
    }

    await daemon.stop();
    expect(logLines(daemon.stdout()).filter((line) => line.msg === 'enrolled a finger')).toHaveLength(4);
    for (const row of fingers) {
      const template = await room.emulator.template(fingerName(row.memberId, row.finger));
      for (const encoding of ['hex', 'base64'] as const)
        expect(daemon.stdout()).not.toContain(template.toString(encoding).slice(0, 48));
    }
    // A bound on a hang, not a speed measurement: a daemon, four enrollment CLI processes and a
    // Python module emulator take half a minute and more on two cores other test runs keep busy.
  }, 180_000);
});
