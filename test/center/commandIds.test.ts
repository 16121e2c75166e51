import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandLog } from '../../src/center/commandLog.js';
import { openCenterDatabase } from '../../src/center/database.js';
import type { Db } from '../../src/store/database.js';
import { COMMAND_ID_MAX_LEAD_MS, type CommandEnvelope } from '../../src/sync/protocol/messages.js';
import { makeTempDir } from '../helpers/cli.js';

/** How the reference center numbers a room's commands, on its real SQLite file. */
describe('county center: command ids', () => {
  const NOW = Date.parse('2031-03-01T08:00:00.000Z');
  let db: Db;
  let log: CommandLog;
  let cleanup: () => void;
  beforeEach(() => {
    const temp = makeTempDir('room-agent-center-ids-');
    cleanup = temp.cleanup;
    db = openCenterDatabase(join(temp.dir, 'center.sqlite'));
    log = new CommandLog(db);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  const send = (deviceId: string, nowMs: number): number =>
    log.record(deviceId, nowMs, (id): CommandEnvelope => ({
      v: 1,
      id,
      deviceId,
      type: 'agent.diagnostics',
      params: {},
    })).id;

  it('issues the clock in ms, one above the last id when commands come faster, per room', () => {
    expect([send('room-a', NOW), send('room-a', NOW), send('room-a', NOW + 1), send('room-b', NOW)]).toEqual([
      NOW,
      NOW + 1,
      NOW + 2,
      NOW,
    ]);
  });

  it('goes on from its clock, not from ids it issued more than half the rooms’ bound ahead of it (a clock set back)', () => {
    const half = COMMAND_ID_MAX_LEAD_MS / 2;
    send('room-a', NOW + half);
    expect(send('room-a', NOW)).toBe(NOW + half + 1);
    send('room-a', NOW + 3 * half);
    expect(send('room-a', NOW + 1)).toBe(NOW + half + 2);
  });
});
