import { expect, it } from 'vitest';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { retainedState, storedThrough, useSyncScenario } from '../helpers/syncScenario.js';
import { objectContaining, stringContaining } from '../helpers/matchers.js';

const scenario = useSyncScenario();

it('commands from the center reach the running daemon and are answered: diagnostics, then an activity started from the county', async () => {
  const sync = await scenario();
  const { room } = sync;
  const center = await sync.startCenter();
  await room.start();
  await room.addMembers();
  await sync.waitSynced();

  const diagnostics = await center.sendCommand(room.deviceId, 'agent.diagnostics', {}, { responseTimeoutMs: 15_000 });
  expect(diagnostics).toMatchObject({
    deviceId: room.deviceId,
    status: 'done',
    result: { journal: { ok: true }, link: { state: 'connected' }, config: { valid: true } },
  });

  const started = await center.sendCommand(
    room.deviceId,
    'activity.start',
    { type: 'branch-meeting', title: '七月支部党员大会' },
    { responseTimeoutMs: 15_000 },
  );
  expect(started).toMatchObject({ status: 'done' });
  const status = await room.status();
  expect(status.activity).toMatchObject({ type: 'branch-meeting', title: '七月支部党员大会' });
  // A sign-in now names the activity, and both records reach the center.
  const signIn = await room.signIn();
  const head = await sync.waitSynced();
  expect(head).toBe(signIn.seq);
  expect(sync.centerView()).toMatchObject({ stored: storedThrough(head), broken: null });

  // A second start while the first runs is answered with exactly what was wrong, and changes nothing.
  const refused = await center.sendCommand(
    room.deviceId,
    'activity.start',
    { type: 'study', title: 'another' },
    { responseTimeoutMs: 15_000 },
  );
  expect(refused).toMatchObject({
    status: 'error',
    error: { code: 'failed', message: stringContaining('七月支部党员大会') },
  });
  expect((await room.status()).activity).toMatchObject({ title: '七月支部党员大会' });
});

it('agent.restart from the center is answered done, then the daemon exits 75 for systemd to restart it, leaving a retained offline state with reason restart', async () => {
  const sync = await scenario();
  const { room, broker } = sync;
  const center = await sync.startCenter();
  await room.start();
  await sync.waitSynced();

  const reply = await center.sendCommand(
    room.deviceId,
    'agent.restart',
    { reason: 'county maintenance' },
    { responseTimeoutMs: 15_000 },
  );
  expect(reply).toMatchObject({ deviceId: room.deviceId, status: 'done' });
  expect(await room.exited()).toEqual({ code: 75, signal: null });
  expect(await retainedState(broker.url, roomTopics('county', room.deviceId).state, 2_000)).toMatchObject({
    state: 'offline',
    reason: 'restart',
  });

  // What systemd does next: the agent starts again, and the county has the record of why it stopped.
  await room.start();
  const head = await sync.waitSynced();
  expect(sync.centerView()).toMatchObject({ stored: storedThrough(head), broken: null });
  const stopped = room.readJournal((journal) =>
    journal
      .entries(0, 10_000)
      .filter((entry) => entry.type === 'agent.stopped')
      .map((entry) => entry.payload),
  );
  expect(stopped).toEqual([
    objectContaining({ reason: 'restart', requestedBy: 'center', detail: 'county maintenance' }),
  ]);
});
