import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { memberFollowingPrompts, useScanners } from './scannerHarness.js';
import { objectContaining, stringMatching } from '../../helpers/matchers.js';

describe('GT-521F enrollment and identification', () => {
  const start = useScanners();

  it('enrolls a finger in three scans with a lift between them, then identifies it', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    const member = memberFollowingPrompts(emulator, [{ finger: 'alice-right-index' }]);
    await scanner.enroll({ slot: 7, prompt: member.prompt });

    expect(member.prompts).toEqual([
      { step: 'place', scan: 1, of: 3 },
      { step: 'captured', scan: 1, of: 3 },
      { step: 'lift' },
      { step: 'place', scan: 2, of: 3 },
      { step: 'captured', scan: 2, of: 3 },
      { step: 'lift' },
      { step: 'place', scan: 3, of: 3 },
      { step: 'captured', scan: 3, of: 3 },
    ]);
    expect(emulator.commandCount('Enroll3')).toBe(1);
    const state = await emulator.state();
    expect(state.slots).toEqual({ '7': 'alice-right-index' });
    // The light is off again once the enrollment is over.
    expect(state.ledOn).toBe(false);

    // Still on the sensor after the third scan: identification sees it at once.
    await expect(scanner.identify()).resolves.toEqual({ kind: 'match', slot: 7, score: 0 });
    expect((await emulator.state()).ledOn).toBe(false);
    await expect(scanner.enrolledSlots()).resolves.toEqual([7]);
  });

  it('answers no-finger, no-match and poor-image without throwing', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    await emulator.storeTemplate(3, 'bob-left-thumb');

    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-finger' });
    await expect(scanner.fingerPresent()).resolves.toBe(false);
    // Capture and search happen only when a finger is there.
    expect(emulator.commandCount('CaptureFinger')).toBe(0);

    await emulator.place('stranger-index');
    await expect(scanner.fingerPresent()).resolves.toBe(true);
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-match' });

    await emulator.place('bob-left-thumb', 'poor');
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-match' });

    await emulator.place('bob-left-thumb');
    await expect(scanner.identify()).resolves.toEqual({ kind: 'match', slot: 3, score: 0 });
    expect((await emulator.state()).ledOn).toBe(false);
  });

  it('refuses a finger already enrolled, naming the slot that holds it', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    await emulator.storeTemplate(150, 'carol-right-middle');
    const member = memberFollowingPrompts(emulator, [{ finger: 'carol-right-middle' }]);
    await expect(scanner.enroll({ slot: 2, prompt: member.prompt })).rejects.toMatchObject({
      code: DriverErrorCode.DuplicateFinger,
      context: objectContaining({ slot: 150 }),
      message: stringMatching(/already enrolled in slot 150/),
    });
    expect((await emulator.state()).slots).toEqual({ '150': 'carol-right-middle' });
    expect((await emulator.state()).ledOn).toBe(false);
  });

  it('asks again after a poor image and finishes the enrollment', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    const member = memberFollowingPrompts(emulator, [
      { finger: 'dan-left-index' },
      { finger: 'dan-left-index', quality: 'poor' },
      { finger: 'dan-left-index' },
    ]);
    await scanner.enroll({ slot: 0, prompt: member.prompt });
    expect(member.prompts).toContainEqual({
      step: 'retry',
      scan: 2,
      reason: stringMatching(/^Enroll2: the fingerprint image was too poor/),
    });
    expect((await emulator.state()).slots).toEqual({ '0': 'dan-left-index' });
  });

  it('stops with EnrollMismatch when another finger arrives for a later scan', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    const member = memberFollowingPrompts(emulator, [{ finger: 'erin-right-index' }, { finger: 'erin-right-ring' }]);
    await expect(scanner.enroll({ slot: 4, prompt: member.prompt })).rejects.toMatchObject({
      code: DriverErrorCode.EnrollMismatch,
    });
    expect((await emulator.state()).slots).toEqual({});
  });

  it('gives up with NoFinger when nobody places a finger, and honours an abort', async () => {
    const { scanner } = await start();
    await scanner.open();
    const nobody = scanner.enroll({ slot: 1, prompt: () => undefined, placeTimeoutMs: 300 });
    await expect(nobody).rejects.toMatchObject({
      code: DriverErrorCode.NoFinger,
      message: stringMatching(/no finger placed for scan 1 of 3 within 300 ms/),
    });
    const controller = new AbortController();
    const enrolling = scanner.enroll({ slot: 1, prompt: () => undefined, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(enrolling).rejects.toMatchObject({ code: DriverErrorCode.Aborted });
  });

  it('refuses to enroll into an occupied slot, saying how to proceed', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    await emulator.storeTemplate(6, 'kim-left-ring');
    await expect(scanner.enroll({ slot: 6, prompt: () => undefined })).rejects.toMatchObject({
      code: DriverErrorCode.ModuleError,
      message:
        'EnrollStart(6): the slot already holds a fingerprint; delete it first or choose a free slot ' +
        '(NACK 0x1005)',
    });
    expect(emulator.commandCount('CaptureFinger')).toBe(0);
  });

  it('refuses a slot outside the model before talking to the module', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    await expect(scanner.enroll({ slot: 200, prompt: () => undefined })).rejects.toMatchObject({
      code: DriverErrorCode.SlotOutOfRange,
      message: "slot 200 is outside the GT-521F32's slots 0…199",
    });
    expect(emulator.commandCount('EnrollStart')).toBe(0);
  });
});
