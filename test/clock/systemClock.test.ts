import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBootId, SystemClock } from '../../src/clock/systemClock.js';
import { TimesyncdFlagSource } from '../../src/clock/timesyncd.js';
import { makeTempDir } from '../helpers/cli.js';

describe('the system clock', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let flag: string;
  beforeEach(() => {
    temp = makeTempDir();
    flag = join(temp.dir, 'timesync', 'synchronized');
  });
  afterEach(() => temp.cleanup());

  it('reads the kernel boot id', () => {
    const bootId = readBootId();
    expect(bootId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(readBootId()).toBe(bootId);
  });

  it('treats each process as its own boot where the kernel has no boot id', () => {
    expect(readBootId(join(temp.dir, 'no-such-file'))).toMatch(/^process-[0-9a-f-]{36}$/);
  });

  it('is synced exactly while the timesyncd flag file exists', () => {
    const clock = new SystemClock(new TimesyncdFlagSource(flag), 'boot-x');
    expect(clock.read()).toMatchObject({ state: 'unsynced', bootId: 'boot-x' });
    mkdirSync(join(temp.dir, 'timesync'));
    writeFileSync(flag, '');
    expect(clock.read().state).toBe('synced');
    rmSync(flag);
    expect(clock.read().state).toBe('unsynced');
  });

  it('stamps whole milliseconds with a monotonic time that never goes back', () => {
    const clock = new SystemClock(new TimesyncdFlagSource(flag), 'boot-x');
    const first = clock.read();
    const second = clock.read();
    expect(Number.isInteger(first.wallMs) && Number.isInteger(first.monoMs)).toBe(true);
    expect(second.monoMs).toBeGreaterThanOrEqual(first.monoMs);
    expect(Math.abs(first.wallMs - Date.now())).toBeLessThan(1000);
  });

  it('holds an adopted wall time against the monotonic clock until the source syncs', async () => {
    const clock = new SystemClock(new TimesyncdFlagSource(flag), 'boot-x');
    const adopted = clock.adoptWallTime(1_800_000_000_000);
    expect(adopted.state).toBe('synced');
    expect(adopted.wallMs - 1_800_000_000_000).toBeGreaterThanOrEqual(0);
    expect(adopted.wallMs - 1_800_000_000_000).toBeLessThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const later = clock.read();
    expect(later.state).toBe('synced');
    expect(later.wallMs - adopted.wallMs).toBe(later.monoMs - adopted.monoMs);
    mkdirSync(join(temp.dir, 'timesync'));
    writeFileSync(flag, '');
    expect(Math.abs(clock.read().wallMs - Date.now())).toBeLessThan(1000);
    rmSync(flag);
    // Once the system clock itself was set, the adopted time is no longer needed.
    expect(clock.read().state).toBe('unsynced');
  });
});
