import { mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBoard } from '../../src/sync/health/board.js';
import { makeTempDir } from '../helpers/cli.js';

/** A sysfs tree as a board would show it: `files` maps paths under the root to their contents. */
function fakeSys(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe('board readings', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let sysRoot: string;
  beforeEach(() => {
    temp = makeTempDir();
    sysRoot = join(temp.dir, 'sys');
  });
  afterEach(() => temp.cleanup());

  it('on a Raspberry Pi: the cpu-thermal zone in °C and the firmware throttling bits', () => {
    fakeSys(sysRoot, {
      'class/thermal/thermal_zone0/type': 'gpu-thermal\n',
      'class/thermal/thermal_zone0/temp': '71000\n',
      'class/thermal/thermal_zone1/type': 'cpu-thermal\n',
      'class/thermal/thermal_zone1/temp': '48312\n',
      'devices/platform/soc/soc:firmware/get_throttled': '50005\n',
    });
    const board = readBoard({ dataDir: temp.dir, sysRoot });
    expect(board.cpuTemperatureC).toBe(48.312);
    // Under-voltage now (bit 0), throttled now (bit 2), both have occurred (bits 16 and 18).
    expect(board.throttled).toBe(0x50005);
  });

  it('on a PC: x86_pkg_temp wins over ACPI zones, and there are no throttling bits', () => {
    fakeSys(sysRoot, {
      'class/thermal/thermal_zone0/type': 'acpitz\n',
      'class/thermal/thermal_zone0/temp': '27800\n',
      'class/thermal/thermal_zone10/type': 'x86_pkg_temp\n',
      'class/thermal/thermal_zone10/temp': '55000\n',
    });
    expect(readBoard({ dataDir: temp.dir, sysRoot })).toMatchObject({ cpuTemperatureC: 55, throttled: null });
  });

  it('takes the first readable zone when none is known to be the CPU, skipping broken sensors', () => {
    fakeSys(sysRoot, {
      'class/thermal/thermal_zone0/type': 'acpitz\n',
      'class/thermal/thermal_zone0/temp': 'No data available\n',
      'class/thermal/thermal_zone3/type': 'x86_pkg_temp\n',
      'class/thermal/thermal_zone3/temp': '',
      'class/thermal/thermal_zone2/type': 'pch_cannonlake\n',
      'class/thermal/thermal_zone2/temp': '41000\n',
      'class/thermal/thermal_zone1/type': 'acpitz\n',
      'class/thermal/thermal_zone1/temp': '-5000\n',
    });
    expect(readBoard({ dataDir: temp.dir, sysRoot }).cpuTemperatureC).toBe(-5);
  });

  it('reports free and total space of the data directory’s file system', () => {
    const expected = statfsSync(temp.dir);
    const { disk } = readBoard({ dataDir: temp.dir, sysRoot });
    expect(disk?.totalBytes).toBe(expected.blocks * expected.bsize);
    expect(disk!.freeBytes).toBeGreaterThan(0);
    expect(disk!.freeBytes).toBeLessThanOrEqual(disk!.totalBytes);
  });

  it('gives null for everything it cannot read, without throwing', () => {
    fakeSys(sysRoot, { 'devices/platform/soc/soc:firmware/get_throttled': 'garbage\n' });
    expect(readBoard({ dataDir: join(temp.dir, 'missing'), sysRoot })).toEqual({
      disk: null,
      cpuTemperatureC: null,
      throttled: null,
    });
    expect(readBoard({ dataDir: join(temp.dir, 'missing'), sysRoot: join(temp.dir, 'no-sys') })).toEqual({
      disk: null,
      cpuTemperatureC: null,
      throttled: null,
    });
  });
});
