import { expect, it } from 'vitest';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { retainedState, storedThrough, until, useSyncScenario } from '../helpers/syncScenario.js';

const scenario = useSyncScenario();

const BACKFILL_BYTES_PER_SECOND = 4_096;
/**
 * The backlog's length at the cap, sized on the wire: the kill comes once a quarter is stored and
 * the cap keeps the rest from finishing for 9 s more, however quickly or slowly the machine runs.
 */
const BACKFILL_SECONDS = 12;
const KEEPALIVE_SECONDS = 2;

it('an agent SIGKILLed mid-backfill leaves a retained offline state (the Will) and, restarted, resumes from its cursor: exactly 1..head at the center', async () => {
  // A long ack timeout: every resend here must come from the restart, none from impatience.
  const sync = await scenario({
    county: {
      backfillBytesPerSecond: BACKFILL_BYTES_PER_SECOND,
      keepaliveSeconds: KEEPALIVE_SECONDS,
      ackTimeoutSeconds: 30,
    },
  });
  const { room, broker } = sync;
  const head = await sync.backlogLasting(BACKFILL_SECONDS, BACKFILL_BYTES_PER_SECOND);
  const center = await sync.brokerBack();
  const stateTopic = roomTopics('county', room.deviceId).state;
  await until(
    async () => (await retainedState(broker.url, stateTopic, 1_000))?.state === 'online',
    10_000,
    () => 'retained online state',
  );
  await sync.waitCenterPast(Math.floor(head / 4));
  // The cursor must have moved too, or "resumes from its cursor" would be resuming from zero.
  await until(
    async () => ((await room.status()).sync.cursor?.seq ?? 0) > 0,
    10_000,
    () => 'a first acknowledged cursor',
  );
  await room.kill();

  // The Will: the broker publishes it once it notices the connection is gone (at most 1.5 × keepalive).
  let offline: Record<string, unknown> | undefined;
  await until(
    async () => (offline = await retainedState(broker.url, stateTopic, 500))?.state === 'offline',
    1.5 * KEEPALIVE_SECONDS * 1000 + 5_000,
    () => `retained offline state (have ${JSON.stringify(offline)})`,
  );
  expect(offline).toMatchObject({ deviceId: room.deviceId, state: 'offline', reason: 'link-lost' });

  const cursorAtKill = room.readJournal((journal) => journal.cursor);
  expect(cursorAtKill).toBeGreaterThan(0);
  expect(cursorAtKill).toBeLessThan(head);
  const storedAtRestart = center.storedSeqs(room.deviceId).length;
  const duplicatesBefore = sync.centerView().duplicates;

  await room.start();
  // The restart journals its own start, so the head moves on by that.
  const after = await sync.waitSynced();
  expect(after).toBeGreaterThan(head);
  const view = sync.centerView();
  expect(view).toMatchObject({ stored: storedThrough(after), broken: null });
  // Resumed from the cursor, not from the start: only what the center held beyond the cursor came twice.
  expect(view.duplicates - duplicatesBefore).toBeLessThanOrEqual(storedAtRestart - cursorAtKill);
  expect(await retainedState(broker.url, stateTopic, 2_000)).toMatchObject({ state: 'online' });
});

it('a clean stop leaves a retained offline state with reason shutdown, not the Will', async () => {
  const sync = await scenario();
  const { room, broker } = sync;
  await sync.startCenter();
  await room.start();
  const stateTopic = roomTopics('county', room.deviceId).state;
  await until(
    async () => (await retainedState(broker.url, stateTopic, 1_000))?.state === 'online',
    10_000,
    () => 'retained online state',
  );
  await room.stop();
  expect(await retainedState(broker.url, stateTopic, 2_000)).toMatchObject({
    deviceId: room.deviceId,
    state: 'offline',
    reason: 'shutdown',
  });
});
