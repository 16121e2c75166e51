import { findSocGpioChip, DEFAULT_SYSFS_GPIO_ROOT } from '../../drivers/gpio/chipBase.js';
import type { GpioLines } from '../../drivers/gpio/lines.js';
import { createOnoffLines } from '../../drivers/gpio/onoffLines.js';
import type { Logger } from '../log.js';

/** The Raspberry Pi header's GPIO lines, or why there are none (a PC, a kernel without sysfs GPIO). */
export type GpioAccess = { available: true; lines: GpioLines } | { available: false; reason: string };

/** Looks for the header's controller under the sysfs root; its chip base maps BCM numbers to lines. */
export async function openSocGpio(logger: Logger, root: string = DEFAULT_SYSFS_GPIO_ROOT): Promise<GpioAccess> {
  const lookup = await findSocGpioChip(root);
  if (!lookup.available) return lookup;
  const { chip } = lookup;
  logger.debug({ chip: chip.name, label: chip.label, base: chip.base }, 'GPIO controller found');
  return { available: true, lines: createOnoffLines(chip, { logger: logger.child({ module: 'gpio' }) }) };
}
