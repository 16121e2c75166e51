import { describe, expect, it } from 'vitest';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, enroll, OPERATOR, useRooms } from './room.js';

/**
 * Templates restore only onto a compatible module: a ZFM-20's 512-byte templates are refused by
 * an R503, whose templates are 1536 bytes, with a clear error and nothing recorded.
 */
describe('restoring into a module of another model', () => {
  const rooms = useRooms();

  it('is refused as another model, and the restore is not journaled', async () => {
    const room = await rooms.open('r30x', { model: 'zfm20' });
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);
    expect((await enroll(room, 'M001', 'right-index')).code).toBe(0);
    await rooms.replaceModule(room, { model: 'r503' });
    expect((await cli(room, ['scanner', 'confirm', '--operator', OPERATOR])).stderr).toBe('');

    const refused = await cli(room, ['scanner', 'restore', '--operator', OPERATOR]);

    expect(refused.code).toBe(65);
    expect(refused.stderr).toMatch(
      /^room-agent: the module refused a template of 512 bytes \(.+\): it is most likely another model; use a module of the original model\n$/,
    );
    expect((await room.emulator.state()).slots).toEqual({});
    const journal = openJournal(room.dataDir, 'read');
    const types = journal.read(0, 1000).map((entry) => entry.type);
    journal.close();
    expect(types).not.toContain('scanner.restored');
  });
});
