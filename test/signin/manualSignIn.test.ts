import { describe, expect, it } from 'vitest';
import { ControlRegistry } from '../../src/control/registry.js';
import { ErrorCode } from '../../src/errors.js';
import { MemberStore } from '../../src/members/store.js';
import { registerSignInMethods } from '../../src/signin/methods.js';
import { confirmBySecretaryFinger, type ConfirmProgress } from '../../src/signin/secretaryFinger.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { openJournal, writeConfig } from '../daemon/daemonProcess.js';
import { useRigs, type Rig } from './rig.js';
import { ofType, stringContaining } from '../helpers/matchers.js';

const ROSTER = [
  { memberId: 'm-031', name: 'Old Liu', role: 'member', status: 'active' },
  { memberId: 'm-032', name: 'Young Wu', role: 'member', status: 'active' },
  { memberId: 's-001', name: 'Secretary Tang', role: 'secretary', status: 'active' },
] as const;

describe('manual sign-in from the CLI (no daemon)', () => {
  it('is journaled with who confirmed it, once, and refuses what it cannot vouch for', async () => {
    const temp = makeTempDir('room-agent-manual-');
    try {
      const { configPath, dataDir } = writeConfig(temp.dir);
      const journal = openJournal(dataDir, 'create');
      new MemberStore(journal).upsertMembers([...ROSTER], 'cli', 'test');
      journal.close();
      const manual = (...args: string[]) => runCli(['signin', 'manual', ...args, '--config', configPath]);

      const first = await manual('m-031', '--confirmed-by', 's-001', '--operator', 'tech-li');
      expect(first.stderr).toBe('');
      expect(first.stdout).toMatch(/^Member m-031 signed in manually \(confirmed by s-001, journal seq \d+\)\n$/);
      expect((await manual('m-031', '--confirmed-by', 's-001')).stdout).toMatch(/^Member m-031 has already signed in/);

      const unknown = await manual('m-999', '--confirmed-by', 's-001');
      expect(unknown).toMatchObject({
        code: 65,
        stderr: stringContaining('there is no member m-999 to sign in'),
      });
      const notSecretary = await manual('m-031', '--confirmed-by', 'm-032');
      expect(notSecretary).toMatchObject({
        code: 65,
        stderr: stringContaining('m-032 is not a branch secretary'),
      });
      // Role before self-confirmation: an ordinary member naming themself is told they are no secretary.
      expect(await manual('m-032', '--confirmed-by', 'm-032')).toMatchObject({
        code: 65,
        stderr: stringContaining('m-032 is not a branch secretary'),
      });
      const self = await manual('s-001', '--confirmed-by', 's-001');
      expect(self).toMatchObject({
        code: 65,
        stderr: stringContaining('a member cannot confirm their own sign-in; another secretary must confirm it'),
      });
      const selfZh = await runCli(['signin', 'manual', 's-001', '--confirmed-by', 's-001', '--config', configPath], {
        env: { ROOM_AGENT_LANG: 'zh' },
      });
      expect(selfZh).toMatchObject({ code: 65, stderr: stringContaining('成员不能确认自己的签到') });
      expect(await manual('m-031')).toMatchObject({
        code: 64,
        stderr: stringContaining('--confirmed-by SECRETARY_ID'),
      });

      const check = openJournal(dataDir, 'read');
      const manualEntries = check.read(0, 1000).filter((entry) => entry.type === 'signin.manual');
      check.close();
      expect(manualEntries.map((entry) => entry.payload)).toEqual([
        { memberId: 'm-031', confirmedBy: 's-001', method: 'cli', activityId: null, operator: 'tech-li' },
      ]);
    } finally {
      temp.cleanup();
    }
    // A bound on a hang: nine CLI processes, each seconds of loading on two cores other runs keep busy.
  }, 180_000);
});

describe("manual sign-in confirmed by the secretary's finger", () => {
  const rig = useRigs();

  async function roomWithSecretary(): Promise<Rig> {
    const room = await rig('r30x');
    await room.enroll([
      { memberId: 'm-032', fingers: [{ slot: 1, finger: 'wu-right-index' }] },
      { memberId: 's-001', role: 'secretary', fingers: [{ slot: 2, finger: 'tang-right-index' }] },
    ]);
    new MemberStore(room.journal).upsertMembers([ROSTER[0]], 'cli', 'test');
    return room;
  }

  it('waits for a secretary, telling anyone else so, and pauses the sign-in loop meanwhile', async () => {
    const room = await roomWithSecretary();
    const registry = new ControlRegistry();
    registerSignInMethods(registry, {
      recorder: room.recorder,
      journal: room.journal,
      scanner: room.scanner,
      feedback: room.feedback,
      pollIntervalMs: 50,
    });
    const progress: unknown[] = [];
    const answer = registry.dispatch(
      'signin.manual',
      { memberId: 'm-031', confirm: 'finger', operator: 'tech-li' },
      { progress: (line) => progress.push(line) },
    );

    await room.until(() => progress.length === 1, 'the prompt for the secretary');
    expect(progress[0]).toEqual({ step: 'place', memberId: 'm-031', seconds: 30 });
    await room.emulator.place('wu-right-index');
    await room.until(() => progress.length === 2, 'the answer to a member who is no secretary');
    await room.lift();
    await room.emulator.place('tang-right-index');
    await room.until(() => room.signals.includes('accepted'), 'the confirmation');
    await room.lift();
    await expect(answer).resolves.toEqual({
      outcome: 'accepted',
      memberId: 'm-031',
      confirmedBy: 's-001',
      seq: ofType(Number),
    });

    expect(progress[1]).toEqual({ step: 'not-secretary' });
    expect(room.entries('signin.manual').map((entry) => entry.payload)).toEqual([
      { memberId: 'm-031', confirmedBy: 's-001', method: 'secretary-finger', activityId: null, operator: 'tech-li' },
    ]);
    // Neither finger signed its owner in: the loop was paused while the module was lent out.
    expect(room.entries('signin.accepted')).toHaveLength(0);
    // And it is back: Wu signs in himself, once the loop has looked at the empty glass (it would
    // take a finger already there for the secretary's, still resting on it).
    await room.nextLook();
    expect(await room.touch('wu-right-index')).toBe('accepted');
  });

  it('gives up after its time with a clear error', async () => {
    const room = await roomWithSecretary();
    const confirming = confirmBySecretaryFinger(
      {
        recorder: room.recorder,
        journal: room.journal,
        scanner: room.scanner,
        feedback: room.feedback,
        pollIntervalMs: 50,
      },
      { memberId: 'm-031', timeoutMs: 300 },
      (_line: ConfirmProgress) => undefined,
    );
    await expect(confirming).rejects.toMatchObject({
      code: ErrorCode.ConfirmationTimeout,
      message: stringContaining('--confirmed-by'),
    });
    expect(room.entries('signin.manual')).toHaveLength(0);
  });
});
