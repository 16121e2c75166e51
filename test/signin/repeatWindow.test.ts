import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordCorrection } from '../../src/clock/corrections.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { insertFinger } from '../../src/members/fingerRows.js';
import { MemberStore } from '../../src/members/store.js';
import { SignInRecorder } from '../../src/signin/recorder.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';

const WINDOW_MINUTES = 120;
const MINUTE = 60_000;

describe('the "already signed in" window', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /** A journal on a clock the test moves, one member with a finger in slot 1, and the recorder. */
  function room(clock: FakeClock, activity: { id: string | null } = { id: null }) {
    const temp = makeTempDir('room-agent-window-');
    const journal = Journal.open({
      dataDir: join(temp.dir, 'data'),
      access: 'create',
      clock,
      logger: createSilentLogger(),
    });
    cleanups.push(() => journal.close(), temp.cleanup);
    new MemberStore(journal).upsertMembers(
      [{ memberId: 'm-1', name: 'Ma', role: 'member', status: 'active' }],
      'cli',
      'test',
    );
    journal.transaction((tx) =>
      insertFinger(tx.db, {
        memberId: 'm-1',
        finger: 'right-index',
        slot: 1,
        moduleFamily: 'r30x',
        templateSize: 512,
        enrolledSeq: 1,
      }),
    );
    const recorder = new SignInRecorder({
      journal,
      currentActivityId: () => activity.id,
      clock,
      windowMinutes: WINDOW_MINUTES,
    });
    return { journal, signIn: () => recorder.fingerprint(1, 80).kind };
  }

  it('within one boot follows the monotonic clock, whatever the wall clock does', () => {
    const clock = new FakeClock({ state: 'unsynced' });
    const { signIn } = room(clock);
    expect(signIn()).toBe('accepted');
    clock.advance(WINDOW_MINUTES * MINUTE - 1);
    // NTP moves the wall clock by a day: the window is about elapsed time, not the calendar.
    clock.jumpWall(24 * 60 * MINUTE);
    expect(signIn()).toBe('already');
    clock.advance(1);
    expect(signIn()).toBe('accepted');
  });

  it('opens anew for the next activity', () => {
    const clock = new FakeClock();
    const activity = { id: 'a-1' as string | null };
    const { signIn } = room(clock, activity);
    expect(signIn()).toBe('accepted');
    activity.id = 'a-2';
    clock.advance(MINUTE);
    expect(signIn()).toBe('accepted');
    expect(signIn()).toBe('already');
  });

  it('across a reboot uses the wall clock when both times are trustworthy', () => {
    const clock = new FakeClock({ state: 'synced' });
    const { signIn } = room(clock);
    expect(signIn()).toBe('accepted');
    clock.reboot(10 * MINUTE);
    expect(signIn()).toBe('already');
  });

  it('across a reboot counts a sign-in as new when either time cannot be trusted', () => {
    const clock = new FakeClock({ state: 'unsynced' });
    const { signIn } = room(clock);
    expect(signIn()).toBe('accepted');
    clock.reboot(10 * MINUTE);
    clock.state = 'synced';
    // The earlier sign-in was stamped by a clock that never synced in its boot.
    expect(signIn()).toBe('accepted');
    clock.reboot(10 * MINUTE);
    clock.state = 'unsynced';
    expect(signIn()).toBe('accepted');
  });

  it('across a reboot re-times an earlier sign-in whose boot synced later', () => {
    const clock = new FakeClock({ state: 'unsynced', wallMs: 1_000 });
    const { journal, signIn } = room(clock);
    expect(signIn()).toBe('accepted');
    // Ten minutes later the clock learns the true time, a year ahead of what it showed.
    clock.advance(10 * MINUTE);
    const trueWall = 1_750_000_000_000;
    journal.transaction((tx) =>
      recordCorrection(tx.db, {
        bootId: clock.bootId,
        syncWallMs: trueWall,
        syncMonoMs: clock.monoMs,
        source: 'test',
        seq: 1,
      }),
    );
    clock.reboot(5 * MINUTE);
    clock.wallMs = trueWall + 5 * MINUTE;
    clock.state = 'synced';
    expect(signIn()).toBe('already');
  });
});
