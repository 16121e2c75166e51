import { randomUUID } from 'node:crypto';
import type { EventBus } from '../daemon/bus.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import type { JournalTransaction } from '../journal/types.js';
import type { Db } from '../store/database.js';
import { jsonPayload } from '../journal/payload.js';
import { statement } from '../store/statements.js';
import { activityText } from './messages.js';
import { toActivity, toPlanRecord, type ActivityRow, type PlanRow } from './rows.js';
import type { Activity, ActivitySource, StartActivity } from './schema.js';

/** The slice of the journal the activity tables need: a write transaction that also appends. */
export type ActivityJournal = Pick<Journal, 'transaction' | 'db'>;

export interface EndActivity {
  reason: string;
  /** Ends only this activity; without it, whichever activity runs. */
  activityId?: string | undefined;
  /** How the duration was measured, when the scheduler ends it: 'monotonic' or 'wall' after a reboot. */
  timeBase?: 'monotonic' | 'wall' | undefined;
}

/**
 * Activities (meetings): at most one runs at a time. Every change writes its table row and its
 * journal event in one transaction, so the table never says what the journal does not, and
 * announces itself on the bus after the commit (camera recording listens there).
 */
export class ActivityStore {
  constructor(
    private readonly journal: ActivityJournal,
    private readonly bus?: EventBus,
  ) {}

  start(input: StartActivity, source: Exclude<ActivitySource, 'plan'>): Activity {
    const activity = this.journal.transaction((tx) => this.insertStarted(tx, input, source, {}));
    this.announceStart(activity);
    return activity;
  }

  /**
   * Starts a scheduled plan's activity. Returns undefined when the plan is no longer scheduled
   * (cancelled meanwhile); throws ActivityConflict when another activity runs.
   */
  startPlanned(planId: string, lateByMs: number): Activity | undefined {
    const activity = this.journal.transaction((tx) => {
      const row = statement(tx.db, "SELECT * FROM activity_plans WHERE id = ? AND state = 'scheduled'").get(planId) as
        PlanRow | undefined;
      if (row === undefined) return undefined;
      const { plan } = toPlanRecord(row);
      const started = this.insertStarted(tx, plan, 'plan', { planId, lateByMs });
      statement(tx.db, "UPDATE activity_plans SET state = 'started', activity_id = ? WHERE id = ?").run(
        started.id,
        planId,
      );
      return started;
    });
    if (activity !== undefined) this.announceStart(activity);
    return activity;
  }

  end({ reason, activityId, timeBase }: EndActivity): Activity {
    const ended = this.journal.transaction((tx) => {
      const running = this.currentIn(tx.db);
      if (running === undefined) throw new AgentError(ErrorCode.ActivityNotFound, activityText('noneRunning'), {});
      if (activityId !== undefined && running.id !== activityId) {
        throw new AgentError(
          ErrorCode.ActivityNotFound,
          activityText('otherRunning', { id: activityId, activity: describe(running) }),
          { activityId },
        );
      }
      const entry = tx.append('activity.ended', jsonPayload({ activityId: running.id, reason, timeBase }));
      statement(tx.db, 'UPDATE activities SET ended_seq = ?, ended_wall_ms = ?, end_reason = ? WHERE id = ?').run(
        entry.seq,
        entry.wallMs,
        reason,
        running.id,
      );
      return { ...running, endedSeq: entry.seq, endedWallMs: entry.wallMs, endReason: reason };
    });
    this.bus?.emit('activity.ended', { activityId: ended.id, seq: ended.endedSeq, reason });
    return ended;
  }

  current(): Activity | undefined {
    return this.currentIn(this.journal.db);
  }

  /** Any activity, running or ended, by its id. */
  find(id: string): Activity | undefined {
    const row = statement(this.journal.db, 'SELECT * FROM activities WHERE id = ?').get(id) as ActivityRow | undefined;
    return row === undefined ? undefined : toActivity(row);
  }

  /** Newest first. */
  list(limit: number): Activity[] {
    const rows = statement(this.journal.db, 'SELECT * FROM activities ORDER BY started_seq DESC LIMIT ?').all(
      limit,
    ) as ActivityRow[];
    return rows.map(toActivity);
  }

  private currentIn(db: Db): Activity | undefined {
    const row = statement(db, 'SELECT * FROM activities WHERE ended_seq IS NULL').get() as ActivityRow | undefined;
    return row === undefined ? undefined : toActivity(row);
  }

  private insertStarted(
    tx: JournalTransaction,
    input: StartActivity,
    source: ActivitySource,
    fromPlan: { planId?: string; lateByMs?: number },
  ): Activity {
    const running = this.currentIn(tx.db);
    if (running !== undefined) {
      throw new AgentError(ErrorCode.ActivityConflict, activityText('conflict', { activity: describe(running) }), {
        runningId: running.id,
      });
    }
    const id = randomUUID();
    const terms = {
      photos: input.photos,
      recording: input.recording,
      recordingUpload: input.recordingUpload ?? 'on-request',
      durationMin: input.durationMin,
      lateByMs: fromPlan.lateByMs,
    };
    const entry = tx.append(
      'activity.started',
      jsonPayload({ activityId: id, type: input.type, title: input.title, source, planId: fromPlan.planId, ...terms }),
    );
    statement(
      tx.db,
      `INSERT INTO activities (id, type, title, source, plan_id, plan_json, started_seq, started_wall_ms, started_mono_ms, started_boot_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      input.type,
      input.title,
      source,
      fromPlan.planId ?? null,
      JSON.stringify(jsonPayload(terms)),
      entry.seq,
      entry.wallMs,
      entry.monoMs,
      entry.bootId,
    );
    return {
      id,
      type: input.type,
      title: input.title,
      source,
      planId: fromPlan.planId ?? null,
      ...terms,
      startedSeq: entry.seq,
      startedWallMs: entry.wallMs,
      startedMonoMs: entry.monoMs,
      startedBootId: entry.bootId,
      endedSeq: null,
      endedWallMs: null,
      endReason: null,
    };
  }

  private announceStart(activity: Activity): void {
    this.bus?.emit('activity.started', {
      activityId: activity.id,
      type: activity.type,
      title: activity.title,
      source: activity.source,
      seq: activity.startedSeq,
      planId: activity.planId ?? undefined,
    });
  }
}

/** How an activity is named in messages: title, type, id and start time. */
export function describe(activity: Activity): string {
  return activityText('described', {
    title: activity.title,
    type: activity.type,
    id: activity.id,
    started: new Date(activity.startedWallMs).toISOString(),
  });
}
