import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { storedThrough, SyncScenario, SYNC_TIMEOUT_MS } from '../helpers/syncScenario.js';
import { fillToLastByte, freeFiller, mountTmpfs } from './mounts.js';

/** The control client's error for a call the daemon answered with an error. */
async function callError(call: Promise<unknown>): Promise<{ code?: number; message: string }> {
  try {
    await call;
  } catch (error) {
    return error as { code?: number; message: string };
  }
  throw new Error('the call succeeded');
}

describe('a room whose card fills while it syncs with the county', () => {
  let scenario: SyncScenario | undefined;
  let card: ReturnType<typeof mountTmpfs> | undefined;

  beforeAll(async () => {
    scenario = await SyncScenario.create({ sections: { storage: { journalReserveBytes: 65_536 } } });
    card = mountTmpfs(scenario.room.dataDir, 8 * 1024 * 1024);
    await scenario.startCenter();
    await scenario.room.start();
    await scenario.room.addMembers();
  }, 120_000);

  afterAll(async () => {
    await scenario?.room.kill();
    card?.unmount();
    await scenario?.close();
  });

  it('refuses sign-ins as not recorded, tells the county disk-full, and loses nothing acknowledged', async () => {
    const s = scenario!;
    await s.room.signIns(3);
    const acknowledged = await s.waitSynced();

    fillToLastByte(s.room.dataDir);
    const refused = await callError(s.room.signIn());
    expect(refused.code).toBe(ErrorCode.StorageFull);
    // Worded in the daemon's own language here: the call carries none.
    expect(refused.message).toMatch(/存储已满|is full: free space/);
    await s.center!.waitFor(
      () => s.center!.room(s.room.deviceId)?.storage?.state === 'disk-full',
      SYNC_TIMEOUT_MS,
      'the health message naming disk-full',
    );
    expect(s.center!.room(s.room.deviceId)!.storage!.failedWrites).toBeGreaterThanOrEqual(1);

    freeFiller(s.room.dataDir);
    const recorded = await s.room.signIn();
    expect(recorded.seq).toBe(acknowledged + 1);
    const head = await s.waitSynced();
    expect(head).toBe(recorded.seq);
    expect(s.centerView()).toEqual({ stored: storedThrough(head), broken: null, duplicates: 0 });
    await s.center!.waitFor(
      () => s.center!.room(s.room.deviceId)?.storage?.state === 'ok',
      SYNC_TIMEOUT_MS,
      'the health message naming ok again',
    );
  }, 240_000);
});
