import { afterEach, describe, expect, it } from 'vitest';
import { MemberStore } from '../../src/members/store.js';
import { makeTempDir } from '../helpers/cli.js';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, OPERATOR, useRooms } from '../enrollment/room.js';

/** The roster as the county's sync writes it: every change journaled once, repeats journal nothing. */
describe('upserting the roster from the center', () => {
  const temps: Array<() => void> = [];
  afterEach(() => temps.splice(0).forEach((cleanup) => cleanup()));

  it('journals one member.upserted per changed member, with its source, and nothing for a repeat', () => {
    const temp = makeTempDir();
    temps.push(temp.cleanup);
    const journal = openJournal(temp.dir, 'create');
    try {
      const members = new MemberStore(journal);
      const roster = [
        { memberId: 'M001', name: '王建国', role: 'member' as const, status: 'active' as const },
        { memberId: 'M002', name: '李秀英', role: 'secretary' as const, status: 'active' as const },
      ];
      expect(members.upsertMembers(roster, 'center')).toEqual([
        { memberId: 'M001', kind: 'added' },
        { memberId: 'M002', kind: 'added' },
      ]);
      expect(members.upsertMembers(roster, 'center')).toEqual([]);
      expect(members.upsertMembers([{ ...roster[0]!, status: 'inactive' }, roster[1]!], 'center')).toEqual([
        { memberId: 'M001', kind: 'updated' },
      ]);

      const upserts = journal.read(0, 100).map((entry) => [entry.type, entry.payload]);
      expect(upserts).toEqual([
        ['member.upserted', { memberId: 'M001', name: '王建国', role: 'member', status: 'active', source: 'center' }],
        [
          'member.upserted',
          { memberId: 'M002', name: '李秀英', role: 'secretary', status: 'active', source: 'center' },
        ],
        ['member.upserted', { memberId: 'M001', name: '王建国', role: 'member', status: 'inactive', source: 'center' }],
      ]);
      expect(members.get('M001')).toMatchObject({ status: 'inactive', updatedSeq: 3 });
    } finally {
      journal.close();
    }
  });
});

describe('members on site from the CLI', () => {
  const rooms = useRooms();

  it('adds, lists and refuses what it cannot do, with the reason', async () => {
    const room = await rooms.open('r30x');
    expect((await cli(room, ['members', 'list'])).stdout).toBe('the roster is empty\n');

    expect((await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR])).stdout).toBe(
      'member M001 added to the roster\n',
    );
    expect((await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR])).stdout).toBe(
      'member M001 is already on the roster as given\n',
    );
    const renamed = ['members', 'add', 'M001', '--name', '王建民', '--operator', OPERATOR];
    expect((await cli(room, renamed)).stdout).toBe('member M001 updated\n');
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);
    expect((await cli(room, ['members', 'list'])).stdout).toBe(
      'ID\tNAME\tROLE\tSTATUS\tENROLLED FINGERS (slot)\nM001\t王建国\tmember\tactive\tnone\n',
    );

    const noOperator = await cli(room, ['members', 'add', 'M002', '--name', '李秀英']);
    expect(noOperator.code).toBe(64);
    expect(noOperator.stderr).toBe(
      'room-agent: members add: --operator NAME is required: the journal records who did it\n',
    );
    const badId = await cli(room, ['members', 'add', 'M 002', '--name', '李秀英', '--operator', OPERATOR]);
    expect(badId.code).toBe(64);
    expect(badId.stderr).toBe(
      'room-agent: members.add: member.memberId: "M 002" is not a member number of 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit\n',
    );
    const unknown = await cli(room, ['members', 'remove', 'M404', '--operator', OPERATOR]);
    expect(unknown.code).toBe(65);
    expect(unknown.stderr).toBe(
      'room-agent: member M404 is not on this room’s roster; sync with the county, or add them with room-agent members add M404 --name NAME\n',
    );
    const badFinger = await cli(room, ['enroll', 'M001', '--finger', 'index', '--operator', OPERATOR, '--consent']);
    expect(badFinger.code).toBe(64);
    expect(badFinger.stderr).toMatch(
      /^room-agent: enroll: --finger "index" is not a finger; use one of: right-thumb, right-index, /,
    );
  });
});
