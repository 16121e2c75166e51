import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DriverError, DriverErrorCode } from '../common/errors.js';

/**
 * Configured pins are BCM numbers (the Raspberry Pi's header labels). The sysfs GPIO interface
 * numbers lines globally instead: BCM n is line base + n of the SoC's controller, and recent
 * Raspberry Pi OS kernels give that controller a base of 512 (571 on a Pi 5), so exporting the
 * plain BCM number fails (https://github.com/fivdi/onoff/issues/199, /issues/200). The base is
 * read from sysfs, never assumed.
 */
export const DEFAULT_SYSFS_GPIO_ROOT = '/sys/class/gpio';

/** Labels of the controller that drives the 40-pin header: Pi 1–3/Zero, Pi 4/400, Pi 5. */
export const SOC_GPIO_LABELS = ['pinctrl-bcm2835', 'pinctrl-bcm2711', 'pinctrl-rp1'] as const;

export interface GpioChip {
  /** The sysfs entry, e.g. "gpiochip512". */
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

export type GpioChipLookup =
  { readonly available: true; readonly chip: GpioChip } | { readonly available: false; readonly reason: string };

/** Finds the header's controller under `root`; "not available" (with why) on a machine without one. */
export async function findSocGpioChip(root: string = DEFAULT_SYSFS_GPIO_ROOT): Promise<GpioChipLookup> {
  let entries: string[];
  try {
    entries = (await readdir(root)).filter((entry) => entry.startsWith('gpiochip'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      available: false,
      reason:
        code === 'ENOENT'
          ? `no GPIO: ${root} does not exist (not a Raspberry Pi, or a kernel without sysfs GPIO)`
          : `no GPIO: cannot read ${root} (${code ?? String(error)})`,
    };
  }
  const chips = (await Promise.all(entries.map((name) => readChip(root, name)))).filter(
    (chip): chip is GpioChip => chip !== undefined,
  );
  for (const label of SOC_GPIO_LABELS) {
    const chip = chips.find((candidate) => candidate.label === label);
    if (chip !== undefined) return { available: true, chip };
  }
  const found = chips.map((chip) => `${chip.name} "${chip.label}"`).join(', ') || 'none';
  return {
    available: false,
    reason: `no GPIO: none of the GPIO controllers in ${root} drives a Raspberry Pi header (looked for ${SOC_GPIO_LABELS.join(', ')}; found ${found})`,
  };
}

/** The sysfs line number of BCM pin `bcm` on `chip`. */
export function mapBcmLine(chip: GpioChip, bcm: number): number {
  if (!Number.isInteger(bcm) || bcm < 0 || bcm >= chip.ngpio) {
    throw new DriverError(
      DriverErrorCode.GpioLine,
      `GPIO ${bcm} does not exist on ${chip.label}: use a BCM pin number 0…${chip.ngpio - 1} (the "GPIOnn" name on the header diagram, not the physical pin)`,
      { bcm, chip: chip.name, ngpio: chip.ngpio },
    );
  }
  return chip.base + bcm;
}

async function readChip(root: string, name: string): Promise<GpioChip | undefined> {
  try {
    const [label, base, ngpio] = await Promise.all(
      ['label', 'base', 'ngpio'].map(async (file) => (await readFile(join(root, name, file), 'utf8')).trim()),
    );
    const chip = { name, label: label!, base: Number(base), ngpio: Number(ngpio) };
    return Number.isInteger(chip.base) && Number.isInteger(chip.ngpio) && chip.ngpio > 0 ? chip : undefined;
  } catch {
    // A chip whose files cannot be read is one we could not drive either.
    return undefined;
  }
}
