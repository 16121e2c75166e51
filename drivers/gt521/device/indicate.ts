import { setTimeout as sleep } from 'node:timers/promises';
import type { ModuleSignal } from '../../scanner.js';
import type { Gt521ModuleCommands } from './moduleCommands.js';

interface Flash {
  readonly onMs: number;
  readonly offMs: number;
  readonly count: number;
}

/**
 * What the sensor light shows when no GPIO lamp or buzzer is wired: pairwise distinct flash
 * counts for the outcomes a member must tell apart. The light can say nothing useful about a
 * fault (the module may be the fault), nor about idle or busy, which would mean leaving it on.
 */
const FLASHES: Partial<Record<ModuleSignal, Flash>> = {
  accepted: { onMs: 600, offMs: 0, count: 1 },
  already: { onMs: 250, offMs: 200, count: 2 },
  rejected: { onMs: 120, offMs: 120, count: 3 },
};

export async function flashSignal(commands: Gt521ModuleCommands, signal: ModuleSignal): Promise<void> {
  const flash = FLASHES[signal];
  if (flash === undefined) return;
  for (let index = 0; index < flash.count; index += 1) {
    await commands.withLight(() => sleep(flash.onMs));
    if (index + 1 < flash.count) await sleep(flash.offMs);
  }
}
