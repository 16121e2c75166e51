import { describe, expect, it } from 'vitest';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, enroll, OPERATOR, useRooms } from './room.js';

/** PIPL: a fingerprint is collected only with the member's consent, and the record says so. */
describe('enrollment without --consent', () => {
  const rooms = useRooms();

  it('is refused with what to do, before the module is touched, and journals nothing', async () => {
    const room = await rooms.open('r30x');
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);

    const refused = await enroll(room, 'M001', 'right-index', { extra: ['--operator', OPERATOR] });

    expect(refused.code).toBe(64);
    expect(refused.stderr).toBe(
      'room-agent: consent must be given and recorded before enrolling a fingerprint: once the member has agreed, run again with --consent\n',
    );
    expect(room.emulator.commandCount('GenImg')).toBe(0);
    const journal = openJournal(room.dataDir, 'read');
    const types = journal.read(0, 1000).map((entry) => entry.type);
    journal.close();
    expect(types).toEqual(['member.upserted']);
  });

  it('is worded in Chinese with --lang zh', async () => {
    const room = await rooms.open('r30x');
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);

    const refused = await cli(room, [
      '--lang',
      'zh',
      'enroll',
      'M001',
      '--finger',
      'right-index',
      '--operator',
      OPERATOR,
    ]);

    expect(refused.code).toBe(64);
    expect(refused.stderr).toBe(
      'room-agent: 录入指纹前必须取得并记录本人同意：确认成员已同意后，加上 --consent 重新运行\n',
    );
  });
});
