import { setTimeout as sleep } from 'node:timers/promises';
import type { OutputLine } from '../../drivers/gpio/lines.js';
import type { Logger } from '../log.js';
import type { GpioAccess } from '../feedback/gpioAccess.js';

/** Datasheet: after power-off wait at least 2 s before powering an R30x module again. */
const OFF_MS = 2_000;

export interface PowerSwitch {
  /** Switches the module off and on again; a no-op (logged once) when no power line is wired. */
  cycle(): Promise<void>;
  close(): void;
}

/**
 * The module's supply through scanner.powerGpio (a relay or MOSFET that powers the module while
 * the pin is high). The line is driven as an active-low "cut" line so that exporting it, which
 * sets its initial level, never switches the module off.
 */
export function createPowerSwitch(
  bcm: number | undefined,
  gpio: GpioAccess,
  logger: Logger,
  offMs = OFF_MS,
): PowerSwitch {
  let cut: OutputLine | undefined;
  let reason: string | undefined;
  if (bcm === undefined) reason = 'scanner.powerGpio is not set';
  else if (!gpio.available) reason = gpio.reason;
  else cut = gpio.lines.output(bcm, { activeLow: true });
  let skipLogged = false;
  return {
    async cycle() {
      if (cut === undefined) {
        if (!skipLogged)
          logger.warn({ reason }, 'the fingerprint module is silent and cannot be power-cycled; re-opening it only');
        skipLogged = true;
        return;
      }
      logger.warn({ bcm, offMs }, 'the fingerprint module is silent: power-cycling it');
      await cut.write(1);
      await sleep(offMs);
      await cut.write(0);
    },
    close() {
      cut?.close();
    },
  };
}
