import type { ClockReader, ClockReading, ClockState } from '../../src/clock/types.js';

/** A clock the test moves by hand: wall and monotonic time separately, and reboots. */
export class FakeClock implements ClockReader {
  wallMs = Date.parse('2025-07-05T08:59:00+08:00');
  monoMs = 1_000_000;
  bootId = 'boot-1';
  state: ClockState = 'synced';

  read(): ClockReading {
    return { wallMs: this.wallMs, monoMs: this.monoMs, bootId: this.bootId, state: this.state };
  }

  /** Time passes: both clocks advance. */
  advance(ms: number): void {
    this.wallMs += ms;
    this.monoMs += ms;
  }

  /** NTP or the center corrects the wall clock; the monotonic clock does not move. */
  jumpWall(ms: number): void {
    this.wallMs += ms;
  }

  reboot(downMs: number): void {
    this.wallMs += downMs;
    this.monoMs = 5_000;
    this.bootId = `boot-${Number(this.bootId.slice(5)) + 1}`;
  }
}
