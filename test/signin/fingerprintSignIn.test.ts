import { describe, expect, it } from 'vitest';
import { statement } from '../../src/store/statements.js';
import { useRigs } from './rig.js';
import { ofType } from '../helpers/matchers.js';

const ROSTER = [
  { memberId: 'm-001', fingers: [{ slot: 3, finger: 'wang-right-index' }] },
  // An elderly member whose right index reads badly: a second finger.
  {
    memberId: 'm-002',
    fingers: [
      { slot: 4, finger: 'li-right-index' },
      { slot: 5, finger: 'li-left-index' },
    ],
  },
  { memberId: 'm-003', fingers: [{ slot: 9, finger: 'zhao-right-index' }] },
];

describe.each(['r30x', 'gt521'] as const)('fingerprint sign-in with a %s module', (family) => {
  const rig = useRigs();

  it('signs in each member once, says "already" to a repeat, and journals the activity', async () => {
    const room = await rig(family);
    await room.enroll(ROSTER);
    const activity = room.activities.start(
      { type: 'theme-party-day', title: 'Theme party day', photos: 0, recording: false },
      'cli',
    );

    expect(await room.touch('wang-right-index')).toBe('accepted');
    expect(await room.touch('li-left-index')).toBe('accepted');
    expect(await room.touch('zhao-right-index')).toBe('accepted');
    // Li again, with the other finger: the same member, within the window.
    expect(await room.touch('li-right-index')).toBe('already');
    expect(await room.touch('wang-right-index')).toBe('already');

    const accepted = room.entries('signin.accepted').map((entry) => entry.payload);
    const score = family === 'gt521' ? 0 : ofType(Number);
    expect(accepted).toEqual([
      { memberId: 'm-001', slot: 3, score, activityId: activity.id, method: 'fingerprint' },
      { memberId: 'm-002', slot: 5, score, activityId: activity.id, method: 'fingerprint' },
      { memberId: 'm-003', slot: 9, score, activityId: activity.id, method: 'fingerprint' },
    ]);
    const last = statement(
      room.journal.db,
      'SELECT member_id, seq, activity_id FROM signin_last ORDER BY member_id',
    ).all();
    const seqs = room.entries('signin.accepted').map((entry) => entry.seq);
    expect(last).toEqual([
      { member_id: 'm-001', seq: seqs[0], activity_id: activity.id },
      { member_id: 'm-002', seq: seqs[1], activity_id: activity.id },
      { member_id: 'm-003', seq: seqs[2], activity_id: activity.id },
    ]);
  });

  it('rejects an unknown finger as a counted attempt, asks a poor image to retry, and refuses an unowned slot', async () => {
    const room = await rig(family);
    await room.enroll(ROSTER);
    // A template on the module that no roster finger owns (e.g. left after a restore).
    await room.emulator.storeTemplate(20, 'orphan-right-thumb');

    expect(await room.touch('stranger-right-index')).toBe('rejected');
    // An R30x reports the poor image (Img2Tz 07); a GT module's Identify1_N just finds no match.
    expect(await room.touch('wang-right-index', 'poor')).toBe(family === 'r30x' ? 'retry' : 'rejected');
    expect(await room.touch('orphan-right-thumb')).toBe('rejected');
    expect(await room.touch('wang-right-index')).toBe('accepted');

    const noMatch = { activityId: null, reason: 'no-match' };
    expect(room.entries('signin.unknown').map((entry) => entry.payload)).toEqual([
      noMatch,
      ...(family === 'r30x' ? [] : [noMatch]),
      { activityId: null, reason: 'unassigned-slot' },
    ]);
    expect(room.entries('signin.accepted')).toHaveLength(1);
  });

  it('counts a finger left resting on the sensor once', async () => {
    const room = await rig(family);
    await room.enroll(ROSTER);
    await room.emulator.place('zhao-right-index');
    await room.until(() => room.signals.length === 1, 'the first answer');
    // The loop keeps asking the module whether the finger is still there; it must not identify again.
    const identifyCommand = family === 'r30x' ? 'Search' : 'Identify1_N';
    const identifications = room.emulator.commandCount(identifyCommand);
    const presenceCommand = family === 'r30x' ? 'GenImg' : 'IsPressFinger';
    await room.emulator.waitForCommand(presenceCommand, 5_000, room.emulator.commandCount(presenceCommand) + 3);
    expect(room.emulator.commandCount(identifyCommand)).toBe(identifications);
    await room.emulator.lift();
    expect(room.signals).toEqual(['accepted']);
    expect(room.entries('signin.accepted')).toHaveLength(1);
  });
});
