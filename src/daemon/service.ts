import type { HealthState } from './bus.js';

export interface ServiceHealth {
  state: HealthState;
  detail?: string | undefined;
}

/**
 * A unit the composition root starts in order and stops in reverse. Constructors only assign;
 * all I/O happens in start(). A service whose device or link fails reports 'degraded' and keeps
 * trying on its own; it throws from start() only when it cannot run at all.
 */
export interface Service {
  readonly name: string;
  /** Returns nothing when there is nothing to wait for; the supervisor awaits either way. */
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
  health(): ServiceHealth;
}
