import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import type { EnrollPrompt } from '../../../drivers/scanner.js';
import type { FingerQuality, ModuleEmulator } from '../../helpers/emulator.js';
import { useScanners } from './scannerHarness.js';
import { stringMatching } from '../../helpers/matchers.js';

interface Touch {
  finger: string;
  quality?: FingerQuality;
}

/** Plays the member at the sensor: each "place" prompt puts the next finger down, "lift" lifts it. */
function member(emulator: ModuleEmulator, touches: Touch[]) {
  const prompts: EnrollPrompt[] = [];
  const actions: Promise<void>[] = [];
  const remaining = [...touches];
  return {
    prompts,
    prompt: (prompt: EnrollPrompt): void => {
      prompts.push(prompt);
      if (prompt.step === 'place') {
        const touch = remaining.shift();
        if (touch) actions.push(emulator.place(touch.finger, touch.quality));
      }
      if (prompt.step === 'lift') actions.push(emulator.lift());
    },
    settled: () => Promise.all(actions),
  };
}

describe('R30x enrollment', () => {
  const start = useScanners();

  it('guides place, lift, place again, stores the model, and the finger then signs in', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    const ivy = member(emulator, [{ finger: 'ivy-right-index' }, { finger: 'ivy-right-index' }]);
    await scanner.enroll({ slot: 5, prompt: ivy.prompt });
    await ivy.settled();
    expect(ivy.prompts).toEqual([
      { step: 'place', scan: 1, of: 2 },
      { step: 'captured', scan: 1, of: 2 },
      { step: 'lift' },
      { step: 'place', scan: 2, of: 2 },
      { step: 'captured', scan: 2, of: 2 },
    ]);
    expect((await emulator.state()).slots).toEqual({ '5': 'ivy-right-index' });
    await expect(scanner.identify()).resolves.toMatchObject({ kind: 'match', slot: 5 });
    await emulator.lift();
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-finger' });
  });

  it('refuses a finger that is already enrolled, naming its slot, and stores nothing', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    await emulator.storeTemplate(12, 'jack-left-index');
    const jack = member(emulator, [{ finger: 'jack-left-index' }]);
    const enrolling = scanner.enroll({ slot: 20, prompt: jack.prompt });
    await expect(enrolling).rejects.toMatchObject({ code: DriverErrorCode.DuplicateFinger, context: { slot: 12 } });
    await expect(enrolling).rejects.toThrow(/already enrolled in slot 12/);
    await jack.settled();
    expect((await emulator.state()).slots).toEqual({ '12': 'jack-left-index' });
    expect(emulator.commandCount('Store')).toBe(0);
  });

  it('asks again when the two scans do not combine, and when an image is poor', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    const kim = member(emulator, [
      { finger: 'kim-right-middle', quality: 'poor' },
      { finger: 'kim-right-middle' },
      { finger: 'kim-left-middle' },
      { finger: 'kim-right-middle' },
      { finger: 'kim-right-middle' },
    ]);
    await scanner.enroll({ slot: 0, prompt: kim.prompt });
    await kim.settled();
    const retries = kim.prompts.filter((prompt) => prompt.step === 'retry');
    expect(retries).toEqual([
      { step: 'retry', scan: 1, reason: stringMatching(/too few features/) },
      { step: 'retry', scan: 1, reason: stringMatching(/two scans/) },
    ]);
    expect((await emulator.state()).slots).toEqual({ '0': 'kim-right-middle' });
  });

  it('gives up when no finger comes within the place timeout, and when cancelled', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    await expect(scanner.enroll({ slot: 1, prompt: () => {}, placeTimeoutMs: 300 })).rejects.toMatchObject({
      code: DriverErrorCode.Timeout,
      message: 'no finger was placed on the sensor within 0.3 s',
    });
    const controller = new AbortController();
    const enrolling = scanner.enroll({ slot: 1, prompt: () => {}, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(enrolling).rejects.toMatchObject({ code: DriverErrorCode.Aborted });
    expect(emulator.commandCount('Store')).toBe(0);
    // The scanner is free again for sign-ins.
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-finger' });
  });

  it('refuses a slot the module does not have', async () => {
    const { scanner } = await start({ model: 'zfm20' });
    await scanner.open();
    await expect(scanner.enroll({ slot: 162, prompt: () => {} })).rejects.toMatchObject({
      code: DriverErrorCode.SlotOutOfRange,
    });
  });
});

describe('R30x identify outcomes', () => {
  const start = useScanners();

  it('tells no finger, a poor image, an unknown finger and a match apart', async () => {
    const { scanner, emulator } = await start({ model: 'r503' });
    await scanner.open();
    await expect(scanner.fingerPresent()).resolves.toBe(false);
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-finger' });
    await emulator.place('lee-right-index', 'poor');
    await expect(scanner.fingerPresent()).resolves.toBe(true);
    await expect(scanner.identify()).resolves.toEqual({
      kind: 'poor-image',
      reason: stringMatching(/too few features/),
    });
    await emulator.place('lee-right-index');
    await expect(scanner.identify()).resolves.toEqual({ kind: 'no-match' });
    await emulator.storeTemplate(199, 'lee-right-index');
    await expect(scanner.identify()).resolves.toMatchObject({ kind: 'match', slot: 199 });
  });
});

describe('R30x close during an operation', () => {
  const start = useScanners();

  it('ends an enrollment waiting for a finger at once with TransportClosed', async () => {
    const { scanner, emulator } = await start({ model: 'zfm20' });
    await scanner.open();
    const enrolling = scanner.enroll({ slot: 2, prompt: () => {}, placeTimeoutMs: 30_000 });
    await emulator.waitForCommand('GenImg', 5_000);
    const began = Date.now();
    await scanner.close();
    await expect(enrolling).rejects.toMatchObject({ code: DriverErrorCode.TransportClosed });
    // Generous bound, far below the 30 s place timeout.
    expect(Date.now() - began).toBeLessThan(5_000);
  });
});
