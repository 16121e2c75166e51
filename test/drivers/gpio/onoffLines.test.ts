import { describe, expect, it } from 'vitest';
import { DriverErrorCode, isDriverError } from '../../../drivers/common/errors.js';
import type { DriverLogger } from '../../../drivers/common/logger.js';
import type { GpioChip } from '../../../drivers/gpio/chipBase.js';
import type { LineValue } from '../../../drivers/gpio/lines.js';
import { createOnoffLines, type OnoffGpio, type OnoffGpioConstructor } from '../../../drivers/gpio/onoffLines.js';

/**
 * No machine running these tests has GPIO, so onoff's Gpio is replaced by a class that records
 * what the real one would have been asked to do: export which line, which way, then writes.
 */
function recordingGpioClass(options: { failExport?: string; failWriteSync?: string } = {}) {
  const calls: string[] = [];
  const watchers: ((error: Error | null | undefined, value: LineValue) => void)[] = [];
  const Fake: OnoffGpioConstructor = class implements OnoffGpio {
    constructor(
      private readonly line: number,
      direction: string,
      edge?: string,
      gpioOptions?: { activeLow?: boolean; debounceTimeout?: number },
    ) {
      if (options.failExport) throw new Error(options.failExport);
      calls.push(`export ${line} ${direction} ${edge ?? '-'} ${JSON.stringify(gpioOptions ?? {})}`);
    }
    write(value: LineValue) {
      calls.push(`write ${this.line} ${value}`);
      return Promise.resolve();
    }
    writeSync(value: LineValue) {
      if (options.failWriteSync) throw new Error(options.failWriteSync);
      calls.push(`writeSync ${this.line} ${value}`);
    }
    watch(callback: (error: Error | null | undefined, value: LineValue) => void) {
      watchers.push(callback);
    }
    unexport() {
      calls.push(`unexport ${this.line}`);
    }
  };
  return { Fake, calls, watchers };
}

const pi5: GpioChip = { name: 'gpiochip571', label: 'pinctrl-rp1', base: 571, ngpio: 54 };

describe('GPIO lines over onoff', () => {
  it('exports the mapped line (BCM 17 on a Pi 5 → 588), writes it, and switches it off on close', async () => {
    const { Fake, calls } = recordingGpioClass();
    const lines = createOnoffLines(pi5, { Gpio: Fake });
    const green = lines.output(17);
    await green.write(1);
    await green.write(0);
    green.close();
    green.close();
    expect(calls).toEqual([
      'export 588 out - {"activeLow":false}',
      'write 588 1',
      'write 588 0',
      'writeSync 588 0',
      'unexport 588',
    ]);
    await expect(green.write(1)).rejects.toSatisfy((error) => isDriverError(error, DriverErrorCode.GpioLine));
  });

  it('reports a failed switch-off on close as a GpioLine error naming the pin, and still releases it', () => {
    const { Fake, calls } = recordingGpioClass({ failWriteSync: 'EIO: i/o error, write' });
    const red = createOnoffLines(pi5, { Gpio: Fake }).output(18);
    let caught: unknown;
    try {
      red.close();
    } catch (error) {
      caught = error;
    }
    expect(isDriverError(caught, DriverErrorCode.GpioLine)).toBe(true);
    expect(caught).toMatchObject({ context: { bcm: 18 } });
    expect((caught as Error).message).toMatch(/^switching GPIO 18 off on close failed: EIO/);
    expect(calls).toEqual(['export 589 out - {"activeLow":false}', 'unexport 589']);
  });

  it('starts an active-low output inactive (sysfs "high"), not sounding until first written', () => {
    const { Fake, calls } = recordingGpioClass();
    createOnoffLines(pi5, { Gpio: Fake }).output(27, { activeLow: true });
    expect(calls).toEqual(['export 598 high - {"activeLow":true}']);
  });

  it('watches an input on both edges with debounce and hands values to the listener', () => {
    const { Fake, calls, watchers } = recordingGpioClass();
    const warnings: string[] = [];
    const logger: DriverLogger = {
      debug: () => {},
      info: () => {},
      error: () => {},
      warn: (_f, message) => warnings.push(message ?? ''),
    };
    const button = createOnoffLines(pi5, { Gpio: Fake, logger }).input(22, { activeLow: true });
    const seen: LineValue[] = [];
    button.watch((value) => seen.push(value));
    watchers[0]!(null, 1);
    watchers[0]!(new Error('EPOLLERR'), 0);
    watchers[0]!(undefined, 0);
    button.close();
    expect(calls).toEqual(['export 593 in both {"activeLow":true,"debounceTimeout":20}', 'unexport 593']);
    expect(seen).toEqual([1, 0]);
    expect(warnings).toEqual(['GPIO input watch failed']);
  });

  it('explains an export failure with the BCM number, the sysfs line and the base', () => {
    const { Fake } = recordingGpioClass({ failExport: 'EINVAL: invalid argument, write' });
    let caught: unknown;
    try {
      createOnoffLines(pi5, { Gpio: Fake }).output(17);
    } catch (error) {
      caught = error;
    }
    expect(isDriverError(caught, DriverErrorCode.GpioLine)).toBe(true);
    expect((caught as Error).message).toContain('GPIO 17 (sysfs line 588 = pinctrl-rp1 base 571 + 17)');
    expect((caught as Error).message).toContain('EINVAL');
  });

  it('refuses a BCM number beyond the chip before touching sysfs', () => {
    const { Fake, calls } = recordingGpioClass();
    expect(() => createOnoffLines(pi5, { Gpio: Fake }).output(54)).toThrow(/0…53/);
    expect(calls).toEqual([]);
  });
});
