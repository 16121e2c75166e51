import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, enroll, fingerName, identifySlots, OPERATOR, useRooms } from './room.js';

const NEW_GT_SERIAL = '0123456789abcdef0123456789abcdef';

/**
 * The module breaks and a new, empty one is fitted: `scanner backup` had written the device's
 * encrypted templates to a file (0600, no template in clear), the technician confirms the new
 * module and restores from the file; enrolled fingers match again. A member removed after the
 * backup is not brought back by it.
 */
describe.each(['r30x', 'gt521'] as const)('restoring a %s backup file into a new module', (family) => {
  const rooms = useRooms();

  it('restores the roster’s fingers into the new module, skipping a member removed since the backup', async () => {
    const room = await rooms.open(family);
    const backupFile = join(room.dir, 'fingerprints.backup.json');
    for (const [memberId, name] of [
      ['M001', '王建国'],
      ['M002', '李秀英'],
    ]) {
      await cli(room, ['members', 'add', memberId!, '--name', name!, '--operator', OPERATOR]);
    }
    expect((await enroll(room, 'M001', 'right-index')).code).toBe(0);
    expect((await enroll(room, 'M002', 'right-thumb')).code).toBe(0);

    const backup = await cli(room, ['scanner', 'backup', '--out', backupFile]);
    expect(backup.stdout).toBe(
      `Wrote the template backups (2) to ${backupFile} (mode 0600). They are encrypted with this device’s template key and restore only on this device\n`,
    );
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    // The file the technician named, in words: no errno text, no temporary file name.
    const intoDirectory = await cli(room, ['scanner', 'backup', '--out', room.dir]);
    expect(intoDirectory).toMatchObject({
      code: 73,
      stderr: `room-agent: scanner backup: cannot write ${room.dir}: it is a directory\n`,
    });
    const missing = join(room.dir, 'missing.json');
    const fromNowhere = await cli(room, ['scanner', 'restore', '--from', missing, '--operator', OPERATOR]);
    expect(fromNowhere).toMatchObject({
      code: 66,
      stderr: `room-agent: scanner restore: cannot read ${missing}: there is no such file\n`,
    });
    const text = readFileSync(backupFile, 'utf8');
    const document = JSON.parse(text) as { format: string; entries: Array<Record<string, unknown>> };
    expect(document.format).toBe('room-agent-template-backup');
    expect(
      document.entries.map(({ memberId, finger, slot, moduleFamily }) => ({ memberId, finger, slot, moduleFamily })),
    ).toEqual([
      { memberId: 'M001', finger: 'right-index', slot: 0, moduleFamily: family },
      { memberId: 'M002', finger: 'right-thumb', slot: 1, moduleFamily: family },
    ]);
    const template = await room.emulator.template(fingerName('M001', 'right-index'));
    for (const encoding of ['hex', 'base64'] as const)
      expect(text).not.toContain(template.toString(encoding).slice(0, 40));

    expect((await cli(room, ['members', 'remove', 'M002', '--operator', OPERATOR])).code).toBe(0);
    await rooms.replaceModule(room, family === 'gt521' ? { serialNumber: NEW_GT_SERIAL } : {});
    const confirmed = await cli(room, ['scanner', 'confirm', '--operator', OPERATOR]);
    expect(confirmed.stderr).toBe('');

    const restored = await cli(room, ['scanner', 'restore', '--from', backupFile, '--operator', OPERATOR]);

    expect(restored.stderr).toBe('');
    expect(restored.stdout).toMatch(
      /^skipped slot 1 \(member M002\): the member is no longer on the roster\nRestored the backed-up templates \(1, /,
    );
    expect(await identifySlots(room, [fingerName('M001', 'right-index'), fingerName('M002', 'right-thumb')])).toEqual([
      0,
      undefined,
    ]);
    expect((await room.emulator.state()).slots).toEqual({ '0': fingerName('M001', 'right-index') });
    const journal = openJournal(room.dataDir, 'read');
    const last = journal.read(0, 1000).at(-1)!;
    journal.close();
    expect(last.type).toBe('scanner.restored');
    expect(last.payload).toMatchObject({
      slots: [0],
      operator: OPERATOR,
      source: 'file',
      skipped: [{ slot: 1, memberId: 'M002', reason: 'not-on-roster' }],
    });
  });
});

describe('restoring from a file while the daemon runs', () => {
  const rooms = useRooms();

  it('is refused with how to do it: the daemon cannot read the technician’s files', async () => {
    const room = await rooms.open('r30x');
    await rooms.daemon(room);

    const refused = await cli(room, [
      'scanner',
      'restore',
      '--from',
      join(room.dir, 'any.json'),
      '--operator',
      OPERATOR,
    ]);

    expect(refused.code).toBe(69);
    expect(refused.stderr).toBe(
      'room-agent: restoring from a file needs the daemon stopped (systemctl stop room-agent): the daemon cannot read your files. Or leave out --from to restore from this device’s own backups\n',
    );
  });
});
