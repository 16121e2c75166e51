import { Gpio } from 'onoff';
import { DriverError, DriverErrorCode, messageOf } from '../common/errors.js';
import { silentLogger, type DriverLogger } from '../common/logger.js';
import { mapBcmLine, type GpioChip } from './chipBase.js';
import type { GpioLines, InputLine, InputLineOptions, LineValue, OutputLine, OutputLineOptions } from './lines.js';

const DEFAULT_DEBOUNCE_MS = 20;

/** The part of onoff's Gpio used here; injectable because no test machine has GPIO. */
export interface OnoffGpio {
  write(value: LineValue): Promise<void>;
  writeSync(value: LineValue): void;
  watch(callback: (error: Error | null | undefined, value: LineValue) => void): void;
  unexport(): void;
}

export type OnoffGpioConstructor = new (
  line: number,
  direction: 'out' | 'high' | 'in',
  edge?: 'both',
  options?: { activeLow?: boolean; debounceTimeout?: number },
) => OnoffGpio;

export interface OnoffLinesOptions {
  readonly logger?: DriverLogger;
  readonly Gpio?: OnoffGpioConstructor;
}

/** Lines on a Raspberry Pi through sysfs (onoff), each BCM number mapped through the chip's base. */
export function createOnoffLines(chip: GpioChip, options: OnoffLinesOptions = {}): GpioLines {
  const GpioClass = options.Gpio ?? Gpio;
  const logger = options.logger ?? silentLogger;

  function exportLine(bcm: number, create: (line: number) => OnoffGpio): OnoffGpio {
    const line = mapBcmLine(chip, bcm);
    try {
      return create(line);
    } catch (error) {
      throw new DriverError(
        DriverErrorCode.GpioLine,
        `cannot use GPIO ${bcm} (sysfs line ${line} = ${chip.label} base ${chip.base} + ${bcm}): ${(error as Error).message}. Is the agent's user in group gpio, and is no other program holding the pin?`,
        { bcm, line, chip: chip.name },
        { cause: error },
      );
    }
  }

  return {
    output(bcm: number, lineOptions: OutputLineOptions = {}): OutputLine {
      const activeLow = lineOptions.activeLow ?? false;
      // sysfs sets the initial level raw (ignoring active_low): "out" drives the pin low, which
      // would switch an active-low buzzer on until the first write; "high" starts it inactive.
      const direction = activeLow ? 'high' : 'out';
      const gpio = exportLine(bcm, (line) => new GpioClass(line, direction, undefined, { activeLow }));
      let closed = false;
      return {
        bcm,
        async write(value) {
          if (closed) throw new DriverError(DriverErrorCode.GpioLine, `GPIO ${bcm} is closed`, { bcm });
          try {
            await gpio.write(value);
          } catch (error) {
            throw new DriverError(
              DriverErrorCode.GpioLine,
              `writing GPIO ${bcm} failed: ${(error as Error).message}`,
              { bcm },
              { cause: error },
            );
          }
        },
        close() {
          if (closed) return;
          closed = true;
          // Off before release: an unexported pin keeps its last level on some boards.
          try {
            gpio.writeSync(0);
          } catch (error) {
            throw new DriverError(
              DriverErrorCode.GpioLine,
              `switching GPIO ${bcm} off on close failed: ${messageOf(error)}; the line was released anyway`,
              { bcm },
              { cause: error },
            );
          } finally {
            gpio.unexport();
          }
        },
      };
    },

    input(bcm: number, lineOptions: InputLineOptions = {}): InputLine {
      const gpio = exportLine(
        bcm,
        (line) =>
          new GpioClass(line, 'in', 'both', {
            activeLow: lineOptions.activeLow ?? false,
            debounceTimeout: lineOptions.debounceMs ?? DEFAULT_DEBOUNCE_MS,
          }),
      );
      let closed = false;
      return {
        bcm,
        watch(listener) {
          gpio.watch((error, value) => {
            if (error) {
              logger.warn({ bcm, err: error }, 'GPIO input watch failed');
              return;
            }
            listener(value);
          });
        },
        close() {
          if (closed) return;
          closed = true;
          gpio.unexport();
        },
      };
    },
  };
}
