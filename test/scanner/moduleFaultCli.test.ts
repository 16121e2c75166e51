import { describe, expect, it } from 'vitest';
import { cli, OPERATOR, useRooms, type Room } from '../enrollment/room.js';

/** What a technician sees when the module fails mid-operation: one line that says so, exit 69. */
async function wipeWithSilentModule(room: Room): Promise<{ code: number | null; stderr: string }> {
  // Empty runs on the module, but its ack never arrives: the driver times out.
  await room.emulator.hold('Empty');
  return cli(room, ['scanner', 'wipe', '--operator', OPERATOR, '--yes', '--lang', 'en']);
}

function expectModuleFaultLine(stderr: string): void {
  expect(stderr).toMatch(/^room-agent: wipe the module: the fingerprint module failed: .*Empty.*\n$/);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('a module fault during a maintenance command', () => {
  const rooms = useRooms();

  it('reaches a standalone CLI as one clear line with exit 69', async () => {
    const room = await rooms.open('r30x');
    const result = await wipeWithSilentModule(room);
    expectModuleFaultLine(result.stderr);
    expect(result.code).toBe(69);
  });

  it('reaches the CLI through the daemon as one clear line with exit 69, and the daemon keeps running', async () => {
    const room = await rooms.open('r30x');
    const daemon = await rooms.daemon(room);
    const result = await wipeWithSilentModule(room);
    expectModuleFaultLine(result.stderr);
    expect(result.code).toBe(69);
    expect(daemon.child.exitCode).toBeNull();
  });
});
