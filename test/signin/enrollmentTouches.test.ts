import { describe, expect, it } from 'vitest';
import type { EnrollPrompt } from '../../drivers/scanner.js';
import { EnrollmentService, type EnrollRequest } from '../../src/enrollment/enrollment.js';
import { createSilentLogger } from '../../src/log.js';
import { SlotDeletions } from '../../src/members/slotDeletions.js';
import { useRigs, type Rig } from './rig.js';

const MEMBER = 'm-001';
const FINGER = 'wang-right-index';
const REQUEST: EnrollRequest = { memberId: MEMBER, finger: 'right-index', operator: 'tech-li', consent: true };

/** The enrollment the daemon runs, on the rig's scanner service (the sign-in loop pauses for it). */
function enrollment(room: Rig): EnrollmentService {
  const logger = createSilentLogger();
  return new EnrollmentService({
    journal: room.journal,
    scanner: room.scanner,
    deletions: new SlotDeletions(room.journal, room.scanner, logger),
    templateKey: () => room.secrets.templateKey,
    escrow: () => undefined,
    logger,
  });
}

/**
 * The member follows the prompts with FINGER and, after the last scan, leaves it on the glass;
 * resolves once the enrollment is committed and every placement and lift was made.
 */
async function enrollKeepingTheFinger(room: Rig): Promise<EnrollPrompt[]> {
  const prompts: EnrollPrompt[] = [];
  let acting = Promise.resolve();
  await enrollment(room).enroll(REQUEST, {
    onPrompt: (prompt) => {
      prompts.push(prompt);
      if (prompt.step === 'place') acting = acting.then(() => room.emulator.place(FINGER));
      else if (prompt.step === 'lift') acting = acting.then(() => room.emulator.lift());
    },
  });
  await acting;
  return prompts;
}

describe.each(['r30x', 'gt521'] as const)('enrollment touches and sign-in on a %s module', (family) => {
  const rig = useRigs();
  const presence = family === 'r30x' ? 'GenImg' : 'IsPressFinger';
  const identification = family === 'r30x' ? 'Search' : 'Identify1_N';

  /** Resolves once the sign-in loop has asked the module a few more times whether a finger is there. */
  async function loopLookedAgain(room: Rig): Promise<void> {
    await room.emulator.waitForCommand(presence, 10_000, room.emulator.commandCount(presence) + 3);
  }

  it('does not sign in the finger left on the glass after the last enrollment scan until it is lifted and placed again', async () => {
    const room = await rig(family);
    await room.enroll([{ memberId: MEMBER, fingers: [] }]);
    const prompts = await enrollKeepingTheFinger(room);
    expect(prompts.at(-1)).toMatchObject({ step: 'captured' });
    expect(room.entries('member.enrolled')).toHaveLength(1);
    // An R30x enrollment searches the library for a duplicate itself.
    const identifications = room.emulator.commandCount(identification);

    // The loop is back on the module and the finger still rests there: no identification, no answer.
    await loopLookedAgain(room);
    expect(room.emulator.commandCount(identification)).toBe(identifications);
    expect(room.entries('signin.accepted')).toEqual([]);
    expect(room.signals).toEqual([]);

    await room.lift();
    expect(await room.touch(FINGER)).toBe('accepted');
    expect(room.entries('signin.accepted').map((entry) => entry.payload)).toEqual([
      expect.objectContaining({ memberId: MEMBER, method: 'fingerprint' }),
    ]);
  });

  it('discards an identification that was under way when the enrollment took the module: no unknown finger', async () => {
    const room = await rig(family);
    await room.enroll([{ memberId: MEMBER, fingers: [] }]);
    // The member puts the finger on a moment before the technician starts the enrollment: the
    // loop is still matching it (the module's answer is held back) when the module is asked for.
    await room.emulator.hold(identification);
    await room.emulator.place(FINGER);
    await room.emulator.waitForCommand(identification, 10_000);
    const enrolled = enrollKeepingTheFinger(room);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await room.emulator.release()).toBe(true);
    await enrolled;
    expect(room.entries('member.enrolled')).toHaveLength(1);

    await room.lift();
    expect(room.entries('signin.unknown')).toEqual([]);
    expect(room.entries('signin.accepted')).toEqual([]);
    expect(room.signals).toEqual([]);
    // The loop runs on as before: the next touch signs the new member in.
    expect(await room.touch(FINGER)).toBe('accepted');
  });
});
