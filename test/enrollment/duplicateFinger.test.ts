import { describe, expect, it } from 'vitest';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, enroll, fingerName, OPERATOR, useRooms, type Room } from './room.js';

/**
 * A finger the module already holds is refused at enrollment with the name of the member it
 * belongs to, and nothing is stored: no fingers row, no backup, no journal entry, no new slot.
 */
function stored(room: Room): { fingers: number; backups: number; enrolled: number } {
  const journal = openJournal(room.dataDir, 'read');
  try {
    const count = (sql: string): number => (journal.db.prepare(sql).get() as { n: number }).n;
    return {
      fingers: count('SELECT COUNT(*) AS n FROM fingers'),
      backups: count('SELECT COUNT(*) AS n FROM template_backups'),
      enrolled: journal.read(0, 1000).filter((entry) => entry.type === 'member.enrolled').length,
    };
  } finally {
    journal.close();
  }
}

describe.each(['r30x', 'gt521'] as const)('a duplicate finger on a %s module', (family) => {
  const rooms = useRooms();

  it('is refused naming the member it belongs to, and nothing is stored', async () => {
    const room = await rooms.open(family);
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);
    await cli(room, ['members', 'add', 'M002', '--name', '李秀英', '--operator', OPERATOR]);
    expect((await enroll(room, 'M001', 'right-index')).code).toBe(0);

    // M002 puts M001's finger on the sensor.
    const duplicate = await enroll(room, 'M002', 'left-thumb', { placed: fingerName('M001', 'right-index') });

    expect(duplicate.code).toBe(65);
    expect(duplicate.stderr).toBe(
      'room-agent: this finger is already enrolled as right-index of member M001 (王建国), slot 0; nothing was stored\n',
    );
    expect(stored(room)).toEqual({ fingers: 1, backups: 1, enrolled: 1 });
    expect(Object.keys((await room.emulator.state()).slots)).toEqual(['0']);
  });
});

describe('the same finger of the same member again', () => {
  const rooms = useRooms();

  it('is refused before the module is touched, naming the slot it is in', async () => {
    const room = await rooms.open('r30x');
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);
    expect((await enroll(room, 'M001', 'right-index')).code).toBe(0);
    const scans = room.emulator.commandCount('GenImg');

    const again = await enroll(room, 'M001', 'right-index');

    expect(again.code).toBe(65);
    expect(again.stderr).toBe(
      'room-agent: member M001 already has right-index enrolled (slot 0); choose another finger, or remove the member first with room-agent members remove\n',
    );
    expect(room.emulator.commandCount('GenImg')).toBe(scans);
    expect(stored(room)).toEqual({ fingers: 1, backups: 1, enrolled: 1 });
  });
});
