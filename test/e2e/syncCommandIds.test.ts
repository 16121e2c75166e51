import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/journal/journal.js';
import { generateDeviceKey } from '../../src/journal/keyCrypto.js';
import { ofType } from '../helpers/matchers.js';
import { useSyncScenario } from '../helpers/syncScenario.js';

const scenario = useSyncScenario();

const HUGE = Number.MAX_SAFE_INTEGER;

it('a room left refusing every command as stale by ids of 2^53 − 1 takes the signing center’s commands again, and refuses unsigned ones', async () => {
  const sync = await scenario({ centerKey: generateDeviceKey() });
  const { room } = sync;
  const center = await sync.startCenter();
  await room.start();
  await sync.waitSynced();
  await room.stop();
  // What an earlier release recorded: the unsigned diagnostics it carried out, and a signed command
  // with a huge id, which only the center's time can show to be damaged.
  const db = new Database(join(room.dataDir, JOURNAL_FILE));
  try {
    const insert = db.prepare(
      "INSERT INTO center_commands (id, type, body_sha256, signature, reply) VALUES (?, 'agent.diagnostics', ?, ?, ?)",
    );
    for (const [id, signature] of [
      [HUGE, 'unchecked'],
      [HUGE - 1, 'verified'],
    ] as const) {
      const reply = { v: 1, deviceId: room.deviceId, commandId: id, status: 'done', result: {} };
      insert.run(id, '0'.repeat(64), signature, JSON.stringify(reply));
    }
  } finally {
    db.close();
  }

  // The update: the room starts again and hears the center's acknowledgement of its start.
  await room.start();
  await sync.waitSynced();
  const unsigned = await center.sendCommand(room.deviceId, 'agent.diagnostics', {}, { sign: false });
  const diagnostics = await center.sendCommand(room.deviceId, 'agent.diagnostics', {}, { responseTimeoutMs: 15_000 });

  expect(unsigned).toMatchObject({ status: 'error', error: { code: 'unsigned' } });
  expect(diagnostics).toMatchObject({ status: 'done', result: { journal: { ok: true } } });
  const left = room
    .output()
    .split('\n')
    .filter((line) => line.includes('left out of it'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(left).toEqual([
    expect.objectContaining({ recordedHighestId: HUGE, watermark: 0, verifiedOnly: true, limit: ofType(Number) }),
  ]);
});
