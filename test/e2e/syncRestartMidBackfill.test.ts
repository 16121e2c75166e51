import { expect, it } from 'vitest';
import { storedThrough, useSyncScenario, type SyncScenario } from '../helpers/syncScenario.js';

const scenario = useSyncScenario();

/** Low enough that 1,000 sign-ins take several seconds to backfill: a real "mid-backfill". */
const BACKFILL_BYTES_PER_SECOND = 16_384;

const DISRUPTIONS: Array<{ what: string; disrupt: (sync: SyncScenario) => Promise<unknown> }> = [
  {
    // SIGKILL: what the broker had queued for the center and not yet delivered is gone with it.
    what: 'a broker killed and restarted',
    async disrupt(sync) {
      await sync.broker.kill();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await sync.broker.start();
    },
  },
  {
    // What the room sends meanwhile waits at the broker in the center's session.
    what: 'a center stopped and started again (same database, same broker session)',
    disrupt: (sync) => sync.restartCenter(1_500),
  },
];

it.each(DISRUPTIONS)(
  '$what mid-backfill loses nothing: the center ends with exactly 1..head, cursor = head',
  async ({ disrupt }) => {
    const sync = await scenario({ county: { backfillBytesPerSecond: BACKFILL_BYTES_PER_SECOND } });
    const head = await sync.backlogWhileOffline(1000);
    await sync.brokerBack();
    expect(await sync.waitCenterPast(Math.floor(head / 4))).toBeLessThan(head);
    await disrupt(sync);

    expect(await sync.waitSynced()).toBe(head);
    expect(sync.centerView()).toMatchObject({ stored: storedThrough(head), broken: null });
    expect((await sync.room.status()).sync).toMatchObject({
      link: { state: 'connected' },
      cursor: { seq: head },
      backlog: { events: 0 },
    });
  },
);
