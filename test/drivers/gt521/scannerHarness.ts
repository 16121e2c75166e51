import { Gt521Scanner, type Gt521ScannerOptions } from '../../../drivers/gt521/index.js';
import type { EnrollPrompt } from '../../../drivers/scanner.js';
import type { ModuleEmulator } from '../../helpers/emulator.js';
import { useEmulatedScanners } from '../emulatedScanners.js';

/** A GT-521F emulator and a Gt521Scanner; enrollment polls fast so the tests stay quick. */
export function useScanners(): ReturnType<
  typeof useEmulatedScanners<Gt521Scanner, Omit<Gt521ScannerOptions, 'transport'>>
> {
  return useEmulatedScanners(
    'gt521',
    (transport, _emulator, overrides) =>
      new Gt521Scanner({
        transport,
        baudRate: 115_200,
        enrollment: { pollIntervalMs: 20, placeTimeoutMs: 5_000 },
        ...overrides,
      }),
  );
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
