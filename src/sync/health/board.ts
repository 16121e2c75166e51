import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** What the board reports about itself; null wherever it does not (a PC has no throttling flags). */
export interface BoardReadings {
  disk: { freeBytes: number; totalBytes: number } | null;
  cpuTemperatureC: number | null;
  /** Raspberry Pi firmware throttling bits (as `vcgencmd get_throttled`). */
  throttled: number | null;
}

export interface BoardSources {
  /** The directory whose file system is measured: the journal's. */
  dataDir: string;
  /** Where sysfs is mounted; tests point it at a directory of their own. Default /sys. */
  sysRoot?: string | undefined;
}

/**
 * Thermal zone types that measure the CPU itself, best first: Raspberry Pi (cpu-thermal), Intel
 * (x86_pkg_temp), other ARM boards (soc_thermal). Without one the first readable zone is taken.
 */
const CPU_ZONE_TYPES = ['cpu-thermal', 'x86_pkg_temp', 'soc_thermal'];

/** Where the Raspberry Pi firmware driver exposes the throttling state, in hex. */
const THROTTLED_FILE = 'devices/platform/soc/soc:firmware/get_throttled';

/** Trimmed text of a small sysfs file, undefined when it is absent or unreadable. */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function readDisk(dataDir: string): BoardReadings['disk'] {
  try {
    const stats = statfsSync(dataDir);
    // bavail, not bfree: the blocks reserved for root are no use to the agent's own writes.
    return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
  } catch {
    return null;
  }
}

function readCpuTemperature(sysRoot: string): number | null {
  const thermal = join(sysRoot, 'class/thermal');
  let zones: string[];
  try {
    zones = readdirSync(thermal).filter((name) => name.startsWith('thermal_zone'));
  } catch {
    return null;
  }
  const readings = zones.flatMap((zone) => {
    const text = readText(join(thermal, zone, 'temp'));
    // A zone whose sensor is not ready reads an error or nothing; such a zone is skipped.
    if (text === undefined || !/^-?\d{1,7}$/.test(text)) return [];
    const milli = Number(text);
    const rank = CPU_ZONE_TYPES.indexOf(readText(join(thermal, zone, 'type')) ?? '');
    return [{ celsius: milli / 1000, rank: rank === -1 ? CPU_ZONE_TYPES.length : rank, zone }];
  });
  readings.sort((a, b) => a.rank - b.rank || a.zone.localeCompare(b.zone, 'en', { numeric: true }));
  return readings[0]?.celsius ?? null;
}

function readThrottled(sysRoot: string): number | null {
  const text = readText(join(sysRoot, THROTTLED_FILE));
  if (text === undefined || !/^(0x)?[0-9a-f]{1,8}$/i.test(text)) return null;
  return Number.parseInt(text.replace(/^0x/i, ''), 16);
}

/** Reads disk, temperature and throttling; never throws, an unreadable value is null. */
export function readBoard({ dataDir, sysRoot = '/sys' }: BoardSources): BoardReadings {
  return { disk: readDisk(dataDir), cpuTemperatureC: readCpuTemperature(sysRoot), throttled: readThrottled(sysRoot) };
}
