import type { AdjustableClock, ClockReading, ClockState } from '../../src/clock/types.js';

export interface FakeClockStart {
  wallMs?: number;
  monoMs?: number;
  bootId?: string;
  state?: ClockState;
}

/**
 * A clock the test moves by hand, with the interface of SystemClock: wall and monotonic time
 * separately, the sync state, and reboots. Fields are public so a test can set any moment.
 */
export class FakeClock implements AdjustableClock {
  wallMs: number;
  monoMs: number;
  bootId: string;
  state: ClockState;
  private reboots = 0;

  constructor(start: FakeClockStart = {}) {
    this.wallMs = start.wallMs ?? 1_700_000_000_000;
    this.monoMs = start.monoMs ?? 5_000;
    this.bootId = start.bootId ?? 'boot-a';
    this.state = start.state ?? 'synced';
  }

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

  adoptWallTime(wallMs: number): ClockReading {
    this.wallMs = wallMs;
    this.state = 'synced';
    return this.read();
  }

  /** The device was off for `downMs`: a new boot id, and the monotonic clock starts again. */
  reboot(downMs: number, bootId = `${this.bootId.replace(/~\d+$/, '')}~${this.reboots + 1}`): void {
    this.wallMs += downMs;
    this.monoMs = 5_000;
    this.reboots++;
    this.bootId = bootId;
  }
}
