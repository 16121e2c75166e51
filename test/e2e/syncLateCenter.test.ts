import { expect, it } from 'vitest';
import { storedThrough, useSyncScenario } from '../helpers/syncScenario.js';

const scenario = useSyncScenario();

/** Low enough that the backfill runs for several seconds: its first batches go out before any center listens. */
const BACKFILL_BYTES_PER_SECOND = 16_384;

it('a new center that comes up while a room is already backfilling still ends with exactly 1..head (what went out before it listened is sent again)', async () => {
  const sync = await scenario({ county: { backfillBytesPerSecond: BACKFILL_BYTES_PER_SECOND } });
  const { room } = sync;
  const head = await sync.backlogWhileOffline(1000, { center: false });
  await sync.broker.start();
  // Batches published now reach no subscriber: the broker drops them, as a county broker would before its center ever connected.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect((await room.status()).sync).toMatchObject({ link: { state: 'connected' }, cursor: null });
  await sync.startCenter();

  expect(await sync.waitSynced()).toBe(head);
  expect(sync.centerView()).toMatchObject({ stored: storedThrough(head), broken: null });
});
