import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, enroll, OPERATOR, useRooms } from './room.js';
import { objectContaining } from '../helpers/matchers.js';

/**
 * A technician who presses Ctrl-C while the daemon waits for the member's finger cancels the
 * enrollment there and then: nothing is stored, and the module is free for the next one at once
 * (not after the 20 s the module would wait for a finger).
 */
describe('an enrollment cancelled from the CLI while the daemon runs', () => {
  const rooms = useRooms();

  it('stores nothing and frees the module at once', async () => {
    const room = await rooms.open('r30x');
    await rooms.daemon(room);
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);

    const child = spawnCli([
      'enroll',
      'M001',
      '--finger',
      'right-index',
      '--operator',
      OPERATOR,
      '--consent',
      '--config',
      room.configPath,
    ]);
    await new Promise<void>((resolve) =>
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => chunk.startsWith('Place') && resolve()),
    );
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('close', resolve));

    const started = performance.now();
    const next = await enroll(room, 'M001', 'left-index');
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(performance.now() - started).toBeLessThan(10_000);
    const journal = openJournal(room.dataDir, 'read');
    const enrolled = journal
      .read(0, 1000)
      .filter((entry) => entry.type === 'member.enrolled')
      .map((entry) => entry.payload);
    journal.close();
    expect(enrolled).toEqual([objectContaining({ memberId: 'M001', finger: 'left-index' })]);
  });
});
