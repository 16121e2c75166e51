import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DriverErrorCode, isDriverError } from '../../../drivers/common/errors.js';
import { findSocGpioChip, mapBcmLine, type GpioChip } from '../../../drivers/gpio/chipBase.js';
import { makeTempDir } from '../../helpers/cli.js';

interface ChipFixture {
  readonly base: number;
  readonly label: string;
  readonly ngpio: number;
}

/**
 * A /sys/class/gpio as the kernel lays it out: export/unexport files and gpiochipN entries that
 * are symlinks into /sys/devices, each with base, label and ngpio.
 */
function sysfsTree(root: string, chips: ChipFixture[]): string {
  const classDir = join(root, 'class', 'gpio');
  mkdirSync(classDir, { recursive: true });
  writeFileSync(join(classDir, 'export'), '');
  writeFileSync(join(classDir, 'unexport'), '');
  for (const chip of chips) {
    const deviceDir = join(root, 'devices', `gpiochip${chip.base}`);
    mkdirSync(deviceDir, { recursive: true });
    writeFileSync(join(deviceDir, 'base'), `${chip.base}\n`);
    writeFileSync(join(deviceDir, 'label'), `${chip.label}\n`);
    writeFileSync(join(deviceDir, 'ngpio'), `${chip.ngpio}\n`);
    symlinkSync(deviceDir, join(classDir, `gpiochip${chip.base}`));
  }
  return classDir;
}

const cleanups: (() => void)[] = [];
function tempRoot(): string {
  const { dir, cleanup } = makeTempDir('room-agent-gpio-');
  cleanups.push(cleanup);
  return dir;
}
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function bcm17(chips: ChipFixture[]): Promise<number> {
  const lookup = await findSocGpioChip(sysfsTree(tempRoot(), chips));
  if (!lookup.available) throw new Error(lookup.reason);
  return mapBcmLine(lookup.chip, 17);
}

describe('BCM pin → sysfs line through the SoC controller’s base', () => {
  it('base 0 (Pi 3, older kernels): BCM 17 → 17', async () => {
    expect(
      await bcm17([
        { base: 0, label: 'pinctrl-bcm2835', ngpio: 54 },
        { base: 504, label: 'raspberrypi-exp-gpio', ngpio: 8 },
      ]),
    ).toBe(17);
  });

  it('base 512 (Pi 4, kernel 6.6+): BCM 17 → 529', async () => {
    expect(
      await bcm17([
        { base: 512, label: 'pinctrl-bcm2711', ngpio: 58 },
        { base: 570, label: 'raspberrypi-exp-gpio', ngpio: 8 },
      ]),
    ).toBe(529);
  });

  it('base 571 (Pi 5, RP1 behind the SoC’s own chips): BCM 17 → 588', async () => {
    expect(
      await bcm17([
        { base: 512, label: 'gpio-brcmstb@107d508500', ngpio: 32 },
        { base: 544, label: 'gpio-brcmstb@107d508520', ngpio: 4 },
        { base: 548, label: 'gpio-brcmstb@107d517c00', ngpio: 17 },
        { base: 565, label: 'gpio-brcmstb@107d517c20', ngpio: 6 },
        { base: 571, label: 'pinctrl-rp1', ngpio: 54 },
      ]),
    ).toBe(588);
  });

  it('reports the chip it chose', async () => {
    const lookup = await findSocGpioChip(sysfsTree(tempRoot(), [{ base: 571, label: 'pinctrl-rp1', ngpio: 54 }]));
    expect(lookup).toEqual({
      available: true,
      chip: { name: 'gpiochip571', label: 'pinctrl-rp1', base: 571, ngpio: 54 },
    });
  });

  it('refuses a BCM number the controller does not have, saying which numbers exist', () => {
    const chip: GpioChip = { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 };
    expect(mapBcmLine(chip, 0)).toBe(512);
    expect(mapBcmLine(chip, 57)).toBe(569);
    for (const bad of [58, -1, 2.5, Number.NaN]) {
      let caught: unknown;
      try {
        mapBcmLine(chip, bad);
      } catch (error) {
        caught = error;
      }
      expect(isDriverError(caught, DriverErrorCode.GpioLine)).toBe(true);
      expect((caught as Error).message).toContain('0…57');
    }
  });
});

describe('no usable GPIO', () => {
  it('says so clearly when sysfs has no gpio class (a PC)', async () => {
    const lookup = await findSocGpioChip(join(tempRoot(), 'class', 'gpio'));
    expect(lookup.available).toBe(false);
    if (!lookup.available) expect(lookup.reason).toMatch(/^no GPIO: .*does not exist/);
  });

  it('says so, naming what it found, when no controller drives a Pi header', async () => {
    const root = sysfsTree(tempRoot(), [{ base: 0, label: 'INT34C5:00', ngpio: 360 }]);
    const lookup = await findSocGpioChip(root);
    expect(lookup.available).toBe(false);
    if (!lookup.available) {
      expect(lookup.reason).toMatch(/^no GPIO: /);
      expect(lookup.reason).toContain('gpiochip0 "INT34C5:00"');
      expect(lookup.reason).toContain('pinctrl-rp1');
    }
  });

  it('skips a chip entry whose files are unreadable or nonsense', async () => {
    const root = sysfsTree(tempRoot(), [{ base: 512, label: 'pinctrl-bcm2711', ngpio: 58 }]);
    mkdirSync(join(root, 'gpiochip9'));
    const broken = join(root, 'gpiochip7');
    mkdirSync(broken);
    writeFileSync(join(broken, 'base'), 'x\n');
    writeFileSync(join(broken, 'label'), 'pinctrl-bcm2835\n');
    writeFileSync(join(broken, 'ngpio'), '54\n');
    const lookup = await findSocGpioChip(root);
    expect(lookup.available && lookup.chip.name).toBe('gpiochip512');
  });
});
