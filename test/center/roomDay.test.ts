import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCenterDatabase } from '../../src/center/database.js';
import { RoomDayReader } from '../../src/center/roomDay.js';
import { CenterStore } from '../../src/center/store.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { openJournal } from '../journal/helpers.js';

describe('a room’s day as the center reads it', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  it('names members, re-times sign-ins of a boot that synced later, counts demo ones apart and finds the running activity and the newest photo', () => {
    const temp = makeTempDir('center-day-');
    cleanups.push(temp.cleanup);
    const clock = new FakeClock({ wallMs: new Date(2025, 5, 5, 8, 0).getTime(), state: 'unsynced', bootId: 'boot-b' });
    const journal = openJournal(join(temp.dir, 'room'), clock);
    cleanups.push(() => journal.close());
    journal.append('member.upserted', { memberId: '1', name: 'Old Name', role: 'member', status: 'active' });
    journal.append('member.upserted', { memberId: '1', name: '李明', role: 'member', status: 'active' });
    journal.append('activity.started', { activityId: 'a1', type: 'meeting', title: 'Study session', source: 'cli' });
    // The room's clock is 2 hours behind until it syncs.
    journal.append('signin.accepted', { memberId: '1', slot: 1, score: 90, activityId: 'a1', method: 'fingerprint' });
    clock.advance(60_000);
    journal.append('clock.synced', {
      bootId: 'boot-b',
      syncWallMs: clock.wallMs + 7_200_000,
      syncMonoMs: clock.monoMs,
      source: 'timesyncd',
    });
    clock.jumpWall(7_200_000);
    clock.state = 'synced';
    clock.advance(60_000);
    journal.append('signin.accepted', {
      memberId: '2',
      slot: 2,
      score: 90,
      activityId: 'a1',
      method: 'fingerprint',
      emulated: true,
    });
    journal.append('activity.ended', { activityId: 'a0', reason: 'manual' });

    const db = openCenterDatabase(join(temp.dir, 'center.sqlite'));
    cleanups.push(() => db.close());
    const store = new CenterStore(db);
    for (const entry of journal.read(0, 100))
      expect(store.insertEntry('room', entry, Date.now()).kind).toBe('inserted');
    const reader = new RoomDayReader(db);
    const day = { from: new Date(2025, 5, 5).getTime(), to: new Date(2025, 5, 6).getTime() };

    expect(reader.recentSignIns('room', day.from, day.to, 10)).toEqual([
      expect.objectContaining({ memberId: '2', name: null, time: 'synced', emulated: true }),
      expect.objectContaining({
        memberId: '1',
        name: '李明',
        time: 'retimed',
        wallMs: new Date(2025, 5, 5, 10, 0).getTime(),
        emulated: false,
      }),
    ]);
    expect(reader.recentSignIns('room', day.from, day.to, 1)).toHaveLength(1);
    expect(store.signInsBetween(day.from, day.to).get('room')).toEqual({ real: 1, emulated: 1 });
    expect(reader.currentActivity('room')).toEqual({
      activityId: 'a1',
      type: 'meeting',
      title: 'Study session',
      startedMs: new Date(2025, 5, 5, 8, 0).getTime(),
    });
    expect(reader.recentPhotos('room', 3)).toEqual([]);
    const photo = { deviceId: 'room', kind: 'photo', size: 1, sha256: 'x', meta: {} };
    store.recordFile({ ...photo, fileId: 'p1', name: 'a.jpg', path: '/files/p1' }, 1000);
    store.recordFile({ ...photo, fileId: 'v1', name: 'b.mp4', path: '/files/v1', kind: 'recording' }, 3000);
    store.recordFile({ ...photo, fileId: 'p2', name: 'b.jpg', path: '/files/p2' }, 2000);
    expect(reader.recentPhotos('room', 3)).toEqual([
      { fileId: 'p2', name: 'b.jpg', path: '/files/p2', completedMs: 2000 },
      { fileId: 'p1', name: 'a.jpg', path: '/files/p1', completedMs: 1000 },
    ]);
    expect(reader.recentPhotos('room', 1).map((photo) => photo.fileId)).toEqual(['p2']);
    expect(reader.photo('room', 'p1')?.path).toBe('/files/p1');
    // Neither a recording nor another room's file is a photo of this room.
    expect(reader.photo('room', 'v1')).toBeNull();
    expect(reader.photo('elsewhere', 'p1')).toBeNull();

    journal.append('activity.ended', { activityId: 'a1', reason: 'manual' });
    store.insertEntry('room', journal.read(journal.head().seq - 1, 1)[0]!, Date.now());
    expect(reader.currentActivity('room')).toBeNull();
  });
});
