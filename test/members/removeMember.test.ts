import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, enroll, fingerName, identifySlots, OPERATOR, useRooms, type Room } from '../enrollment/room.js';
import { ofType } from '../helpers/matchers.js';

function count(room: Room, sql: string, ...params: unknown[]): number {
  const journal = openJournal(room.dataDir, 'read');
  try {
    return (journal.db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    journal.close();
  }
}

function entries(room: Room, type: string): unknown[] {
  const journal = openJournal(room.dataDir, 'read');
  try {
    return journal
      .read(0, 1000)
      .filter((entry) => entry.type === type)
      .map((entry) => entry.payload);
  } finally {
    journal.close();
  }
}

/**
 * Removing a member deletes their templates on the module, their backups and their escrow
 * copies, and journals who removed them; the other members are untouched.
 */
describe.each(['r30x', 'gt521'] as const)('removing a member with two fingers (%s)', (family) => {
  const rooms = useRooms();

  it('deletes their module slots, backups and escrow rows, and journals the removal with the operator', async () => {
    const countyKey = generateKeyPairSync('x25519')
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    const room = await rooms.open(family, {
      scannerKeys: ['escrowTemplates: true'],
      countyKeys: [`escrowPublicKey: ${countyKey}`],
    });
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);
    await cli(room, ['members', 'add', 'M002', '--name', '李秀英', '--role', 'secretary', '--operator', OPERATOR]);
    for (const [memberId, finger] of [
      ['M001', 'right-index'],
      ['M001', 'left-index'],
      ['M002', 'right-thumb'],
    ] as const) {
      expect((await enroll(room, memberId, finger)).code).toBe(0);
    }
    expect(count(room, 'SELECT COUNT(*) AS n FROM template_escrow')).toBe(3);

    const removed = await cli(room, ['members', 'remove', 'M001', '--operator', OPERATOR]);

    expect(removed.stderr).toBe('');
    expect(removed.stdout).toMatch(
      /^member M001 was removed with their template backups \(journal seq \d+\)\ntheir templates were deleted from module slot\(s\) 0, 1\n$/,
    );
    expect(Object.keys((await room.emulator.state()).slots)).toEqual(['2']);
    expect(count(room, 'SELECT COUNT(*) AS n FROM members WHERE member_id = ?', 'M001')).toBe(0);
    for (const table of ['fingers', 'template_backups', 'template_escrow']) {
      expect(count(room, `SELECT COUNT(*) AS n FROM ${table} WHERE slot IN (0, 1)`)).toBe(0);
      expect(count(room, `SELECT COUNT(*) AS n FROM ${table} WHERE slot = 2`)).toBe(1);
    }
    expect(entries(room, 'member.removed')).toEqual([{ memberId: 'M001', slots: [0, 1], operator: OPERATOR }]);
    expect(entries(room, 'scanner.slots_deleted')).toEqual([{ slots: [0, 1], memberIds: ['M001'] }]);
    expect(await identifySlots(room, [fingerName('M001', 'right-index'), fingerName('M002', 'right-thumb')])).toEqual([
      undefined,
      2,
    ]);

    const listed = await cli(room, ['members', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        memberId: 'M002',
        name: '李秀英',
        role: 'secretary',
        status: 'active',
        updatedSeq: ofType(Number),
        fingers: [
          {
            finger: 'right-thumb',
            slot: 2,
            moduleFamily: family,
            templateSize: family === 'r30x' ? 512 : 498,
            enrolledSeq: ofType(Number),
          },
        ],
      },
    ]);
  });
});

describe('removing a member while the module is unplugged', () => {
  const rooms = useRooms();

  it('removes them at once and deletes their slot on the module when the daemon reconnects it', async () => {
    const room = await rooms.open('r30x');
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);
    expect((await enroll(room, 'M001', 'right-index')).code).toBe(0);
    await rooms.daemon(room);
    await room.emulator.unplug();

    const removed = await cli(room, ['members', 'remove', 'M001', '--operator', OPERATOR]);

    expect(removed.stdout).toMatch(
      /^member M001 was removed with their template backups \(journal seq \d+\)\nthe module is not connected: the templates in module slot\(s\) 0 will be deleted when the scanner reconnects; until then those fingers match nobody\n$/,
    );
    expect(count(room, 'SELECT COUNT(*) AS n FROM fingers')).toBe(0);
    expect(count(room, 'SELECT COUNT(*) AS n FROM pending_slot_deletions')).toBe(1);

    await room.emulator.replug();
    const deadline = Date.now() + 15_000;
    while (entries(room, 'scanner.slots_deleted').length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(entries(room, 'scanner.slots_deleted')).toEqual([{ slots: [0], memberIds: ['M001'] }]);
    expect((await room.emulator.state()).slots).toEqual({});
    expect(count(room, 'SELECT COUNT(*) AS n FROM pending_slot_deletions')).toBe(0);
  });
});
