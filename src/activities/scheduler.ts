import { elapsedSince } from '../clock/elapsed.js';
import type { ClockReader, ClockReading } from '../clock/types.js';
import type { EventBus } from '../daemon/bus.js';
import { HealthChanges } from '../daemon/healthChanges.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import { isAgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { PlanStore } from './plans.js';
import type { Activity, PlanRecord } from './schema.js';
import { describe, type ActivityStore } from './store.js';

/**
 * Checking the wall clock every second (rather than one timer set for the start time) is what
 * handles clock jumps: when NTP or the center corrects the clock, the next check sees it.
 */
export const CHECK_INTERVAL_MS = 1_000;

const MINUTE_MS = 60_000;

/**
 * Starts planned activities locally at their time, with or without a link, and ends activities
 * that have a duration. A plan found due late (the agent was down) starts only while its window
 * lasts; after that it is marked missed, but only on a synchronised clock: marking missed cannot
 * be undone, and after a power cut the wall clock (fake-hwclock) can be days off until it syncs.
 * Starting on an unsynced clock is still right (the theme party day happens with the link down,
 * and fake-hwclock is usually close). Durations run on monotonic time within one boot; an
 * activity that survived a reboot falls back to wall time, and its end event says so.
 */
export class ActivityScheduler implements Service {
  readonly name = 'activity-scheduler';
  private timer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  /** Plans held back by a running activity, with that activity, for the "missed" reason. */
  private readonly blocked = new Map<string, string>();
  /** Plans past their window whose "missed" waits for the clock to sync; logged once each. */
  private readonly missWaitingForSync = new Set<string>();
  private wallFallbackLogged: string | undefined;
  private readonly healthChanges: HealthChanges;

  constructor(
    private readonly activities: ActivityStore,
    private readonly plans: PlanStore,
    private readonly clock: ClockReader,
    private readonly logger: Logger,
    bus?: EventBus,
  ) {
    this.healthChanges = new HealthChanges(this, bus);
  }

  start(): void {
    // The timer first: health() reads it, so the first check already announces the running state.
    this.timer = setInterval(() => this.check(), CHECK_INTERVAL_MS);
    this.check();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  health(): ServiceHealth {
    if (this.timer === undefined) return { state: 'stopped' };
    return this.lastError === undefined ? { state: 'ok' } : { state: 'degraded', detail: this.lastError };
  }

  /** One pass: end what is over, then start what is due (so back-to-back plans follow on). */
  check(): void {
    const now = this.clock.read();
    try {
      this.endOverdue(now);
      const due = this.plans.due(now.wallMs);
      for (const record of due) this.startOrMiss(record, now);
      // A plan cancelled meanwhile (or decided) is no longer due: forget what was kept about it.
      const dueIds = new Set(due.map((record) => record.plan.id));
      for (const planId of this.blocked.keys()) if (!dueIds.has(planId)) this.blocked.delete(planId);
      for (const planId of this.missWaitingForSync) if (!dueIds.has(planId)) this.missWaitingForSync.delete(planId);
      this.lastError = undefined;
    } catch (error) {
      this.lastError = `schedule check failed: ${(error as Error).message}`;
      this.logger.error({ err: error }, 'activity schedule check failed; retrying on the next check');
    }
    this.healthChanges.note();
  }

  private endOverdue(now: ClockReading): void {
    const running = this.activities.current();
    if (running?.durationMin === undefined) return;
    const { elapsedMs: sinceStartMs, timeBase } = elapsedSince(
      { wallMs: running.startedWallMs, monoMs: running.startedMonoMs, bootId: running.startedBootId },
      now,
    );
    const elapsedMs = sinceStartMs + (running.lateByMs ?? 0);
    if (timeBase === 'wall' && this.wallFallbackLogged !== running.id) {
      this.wallFallbackLogged = running.id;
      this.logger.info(
        { activityId: running.id },
        'activity started before this boot: its duration is measured on wall time',
      );
    }
    if (elapsedMs < running.durationMin * MINUTE_MS) return;
    const ended = this.activities.end({ reason: 'duration', activityId: running.id, timeBase });
    this.logger.info({ activityId: ended.id, seq: ended.endedSeq, timeBase }, 'activity ended after its duration');
  }

  private startOrMiss({ plan, startsAtMs }: PlanRecord, now: ClockReading): void {
    const lateByMs = now.wallMs - startsAtMs;
    if (lateByMs >= plan.durationMin * MINUTE_MS) {
      if (now.state !== 'synced') {
        if (!this.missWaitingForSync.has(plan.id)) {
          this.missWaitingForSync.add(plan.id);
          this.logger.info(
            { planId: plan.id, lateByMs },
            'activity plan looks past its window, but the wall clock is not synchronised: deciding once it is',
          );
        }
        return;
      }
      const blocker = this.blocked.get(plan.id);
      const reason =
        blocker === undefined
          ? 'its time window passed while the agent was not running'
          : `activity ${blocker} ran through its time window`;
      this.plans.markMissed(plan.id, reason);
      this.blocked.delete(plan.id);
      this.logger.warn({ planId: plan.id, reason }, 'activity plan missed');
      return;
    }
    let started: Activity | undefined;
    try {
      started = this.activities.startPlanned(plan.id, lateByMs);
    } catch (error) {
      if (!isAgentError(error, ErrorCode.ActivityConflict)) throw error;
      const running = this.activities.current();
      if (running !== undefined && !this.blocked.has(plan.id)) {
        this.blocked.set(plan.id, describe(running));
        this.logger.warn(
          { planId: plan.id, runningId: running.id },
          'planned activity is due but another activity is running; it starts when that one ends',
        );
      }
      return;
    }
    this.blocked.delete(plan.id);
    if (started !== undefined)
      this.logger.info({ planId: plan.id, activityId: started.id, lateByMs }, 'planned activity started');
  }
}
