import { afterEach } from 'vitest';
import { Gt521Scanner, type Gt521ScannerOptions } from '../../../drivers/gt521/index.js';
import { SerialTransport } from '../../../drivers/serial/serialTransport.js';
import type { EnrollPrompt } from '../../../drivers/scanner.js';
import { ModuleEmulator, type EmulatorOptions } from '../../helpers/emulator.js';

export interface ScannerUnderTest {
  readonly emulator: ModuleEmulator;
  readonly scanner: Gt521Scanner;
  readonly transport: SerialTransport;
}

type ScannerOverrides = Partial<Omit<Gt521ScannerOptions, 'transport'>>;

/**
 * A GT-521F emulator on a real pty and a Gt521Scanner talking to it through the real serialport
 * transport; everything started is stopped after each test. Enrollment polls fast so the tests
 * stay quick.
 */
export function useScanners(): (
  emulator?: Omit<EmulatorOptions, 'family'>,
  scanner?: ScannerOverrides,
) => Promise<ScannerUnderTest> {
  const started: ScannerUnderTest[] = [];
  afterEach(async () => {
    for (const { scanner, emulator } of started.splice(0)) {
      await scanner.close().catch(() => undefined);
      await emulator.stop();
    }
  });
  return async (emulatorOptions = {}, scannerOptions = {}) => {
    const emulator = await ModuleEmulator.start({ family: 'gt521', powerOnDelayMs: 0, ...emulatorOptions });
    const transport = new SerialTransport({ path: emulator.path });
    const scanner = new Gt521Scanner({
      transport,
      baudRate: 115_200,
      enrollment: { pollIntervalMs: 20, placeTimeoutMs: 5_000 },
      ...scannerOptions,
    });
    const underTest = { emulator, scanner, transport };
    started.push(underTest);
    return underTest;
  };
}

/**
 * A member at the sensor who follows the prompts: places `finger` when asked, lifts when asked.
 * Each `place` prompt uses the next entry of `fingers` (the last one repeats), so a test can
 * offer a poor image first or switch fingers between scans.
 */
export function memberFollowingPrompts(
  emulator: ModuleEmulator,
  fingers: { finger: string; quality?: 'good' | 'poor' }[],
): { prompts: EnrollPrompt[]; prompt: (prompt: EnrollPrompt) => void } {
  const prompts: EnrollPrompt[] = [];
  let placements = 0;
  return {
    prompts,
    prompt: (prompt) => {
      prompts.push(prompt);
      if (prompt.step === 'place') {
        const next = fingers[Math.min(placements, fingers.length - 1)]!;
        placements += 1;
        void emulator.place(next.finger, next.quality ?? 'good');
      } else if (prompt.step === 'lift') {
        void emulator.lift();
      }
    },
  };
}
