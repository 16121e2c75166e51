import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/journal/journal.js';
import { storedSet, storedThrough, until, useSyncScenario } from '../helpers/syncScenario.js';

const scenario = useSyncScenario();

/** Edits the stopped room's journal as an attacker with a sqlite3 shell would (the append-only trigger only guards our own bugs). */
function changeMemberOf(dataDir: string, seq: number): void {
  const db = new Database(join(dataDir, JOURNAL_FILE));
  try {
    db.exec('DROP TRIGGER IF EXISTS events_append_only');
    const { payload } = db.prepare('SELECT payload FROM events WHERE seq = ?').get(seq) as { payload: string };
    const changed = payload.replace(/"memberId":"m-0(\d\d)"/, (_match, digits: string) => `"memberId":"m-9${digits}"`);
    expect(changed).not.toBe(payload);
    db.prepare('UPDATE events SET payload = ? WHERE seq = ?').run(changed, seq);
  } finally {
    db.close();
  }
}

it('a journal tampered with before it reached the center is flagged there as a broken chain at exactly that seq, and not acknowledged past it', async () => {
  const sync = await scenario();
  const { room } = sync;
  const head = await sync.backlogWhileOffline(60);
  await room.stop();
  const tampered = head - 25;
  changeMemberOf(room.dataDir, tampered);

  const center = await sync.brokerBack();
  await room.start();
  await until(
    () => sync.centerView().broken !== null,
    30_000,
    () => `the center to flag room ${room.deviceId} broken`,
  );
  expect(sync.centerView().broken).toMatchObject({ seq: tampered });
  expect(sync.contiguous()).toBe(tampered - 1);
  expect(storedSet(center.storedSeqs(room.deviceId).filter((seq) => seq < tampered))).toEqual(
    storedThrough(tampered - 1),
  );
  // The room's cursor follows the center's verified prefix and never passes the break.
  await until(
    async () => (await room.status()).sync.cursor?.seq === tampered - 1,
    15_000,
    () => `cursor at ${tampered - 1}`,
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect((await room.status()).sync.cursor?.seq).toBe(tampered - 1);
  expect(sync.contiguous()).toBe(tampered - 1);
});
