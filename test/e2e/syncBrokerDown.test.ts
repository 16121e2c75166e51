import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { storedThrough, until, useSyncScenario } from '../helpers/syncScenario.js';
import { ofType } from '../helpers/matchers.js';

const scenario = useSyncScenario();

it('1,000 sign-ins while the broker is down all reach the center once it is up: exactly 1..head, chain verified, duplicates stored once, cursor = head', async () => {
  const sync = await scenario();
  const { room } = sync;
  const head = await sync.backlogWhileOffline(1000);
  const offline = await room.status();
  expect(offline.sync.link.state).not.toBe('connected');
  expect(offline.sync).toMatchObject({ cursor: null, backlog: { events: head }, lastSync: null });

  const center = await sync.brokerBack();
  expect(await sync.waitSynced()).toBe(head);
  expect(sync.centerView()).toMatchObject({ stored: storedThrough(head), broken: null });
  // The center verified the chain through the room's own head hash.
  expect(center.room(room.deviceId)).toMatchObject({
    contiguousSeq: head,
    contiguousHash: (await room.status()).journal.head.hash,
    broken: null,
  });
  expect(center.signInsBetween(0, Date.now() + 60_000).get(room.deviceId)).toEqual({ real: 1000, emulated: 0 });

  // `room-agent status` against the running daemon: connected, nothing left, cursor at the head, a last sync.
  expect((await room.status()).sync).toMatchObject({
    link: { state: 'connected' },
    cursor: { seq: head },
    backlog: { events: 0 },
    lastSync: ofType(String),
  });
  const json = await runCli(['status', '--json', '--config', room.configPath]);
  expect(json).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(json.stdout)).toMatchObject({
    journal: { head: { seq: head } },
    sync: { link: { state: 'connected' }, cursor: { seq: head }, backlog: { events: 0 }, lastSync: ofType(String) },
  });
  const text = await runCli(['status', '--config', room.configPath]);
  expect(text).toMatchObject({ code: 0, stderr: '' });
  expect(text.stdout).toContain(`county link: connected (${sync.broker.url})`);
  expect(text.stdout).toContain('backlog: 0 events not yet acknowledged by the center');
  expect(text.stdout).toContain(`sync cursor: seq ${head} (`);
  expect(text.stdout).toMatch(/^last sync: \d{4}-\d\d-\d\dT/m);

  // Duplicates are harmless: asked to replay everything, the room sends it all again; the center counts and drops it.
  const before = sync.centerView().duplicates;
  expect(await center.sendCommand(room.deviceId, 'journal.replay', { fromSeq: 1 })).toMatchObject({ status: 'done' });
  await until(
    () => sync.centerView().duplicates - before >= head,
    30_000,
    () => `${head} duplicates counted (have ${sync.centerView().duplicates - before})`,
  );
  // The command itself is journaled, so the head moved on by what it wrote.
  const after = await sync.waitSynced();
  const view = sync.centerView();
  expect(view).toMatchObject({ stored: storedThrough(after), broken: null });
  expect(view.duplicates - before).toBeGreaterThanOrEqual(head);
  expect(view.duplicates - before).toBeLessThanOrEqual(after);
});
