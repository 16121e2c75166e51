import { expect, it } from 'vitest';
import { storedThrough, useSyncScenario } from '../helpers/syncScenario.js';

const scenario = useSyncScenario();

it('commands from the center reach the running daemon and are answered: diagnostics, then an activity started from the county', async () => {
  const sync = await scenario();
  const { room } = sync;
  const center = await sync.startCenter();
  await room.start();
  await room.addMembers();
  await sync.waitSynced();

  const diagnostics = await center.sendCommand(room.deviceId, 'agent.diagnostics', {}, { responseTimeoutMs: 15_000 });
  expect(diagnostics).toMatchObject({ deviceId: room.deviceId, status: 'done', result: { journal: { ok: true }, link: { state: 'connected' }, config: { valid: true } } });

  const started = await center.sendCommand(room.deviceId, 'activity.start', { type: 'branch-meeting', title: '七月支部党员大会' }, { responseTimeoutMs: 15_000 });
  expect(started).toMatchObject({ status: 'done' });
  const status = await room.status();
  expect(status.activity).toMatchObject({ type: 'branch-meeting', title: '七月支部党员大会' });
  // A sign-in now names the activity, and both records reach the center.
  const signIn = await room.signIn();
  const head = await sync.waitSynced();
  expect(head).toBe(signIn.seq);
  expect(sync.centerView()).toMatchObject({ stored: storedThrough(head), broken: null });

  // A second start while the first runs is answered with exactly what was wrong, and changes nothing.
  const refused = await center.sendCommand(room.deviceId, 'activity.start', { type: 'study', title: 'another' }, { responseTimeoutMs: 15_000 });
  expect(refused).toMatchObject({ status: 'error', error: { code: 'failed', message: expect.stringContaining('七月支部党员大会') } });
  expect((await room.status()).activity).toMatchObject({ title: '七月支部党员大会' });
});
