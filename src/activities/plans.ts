import { AgentError, ErrorCode } from '../errors.js';
import { jsonPayload } from '../journal/payload.js';
import { statement } from '../store/statements.js';
import { issueSummary } from '../util/zodIssues.js';
import type { JsonValue } from '../journal/types.js';
import { activityText } from './messages.js';
import { toPlanRecord, type PlanRow } from './rows.js';
import { activityPlanSchema, type PlanRecord, type PlanSource, type PlanState } from './schema.js';
import type { ActivityJournal } from './store.js';

const SELECT_PLAN = 'SELECT * FROM activity_plans WHERE id = ?';

/**
 * Meeting plans pushed ahead of time, so the theme party day starts on time with the link down.
 * Like the activities, every change is its table row and its journal event in one transaction.
 */
export class PlanStore {
  constructor(private readonly journal: ActivityJournal) {}

  /**
   * Validates and schedules a plan. Receiving the same plan again (the center resends after a
   * reconnect) changes nothing; the same id with other content is refused.
   */
  add(input: unknown, source: PlanSource): PlanRecord {
    const parsed = activityPlanSchema.safeParse(input);
    if (!parsed.success) {
      throw new AgentError(
        ErrorCode.ActivityPlanInvalid,
        activityText('planInvalid', { problems: issueSummary(parsed.error.issues, input) }),
        {},
      );
    }
    const plan = parsed.data;
    const planJson = JSON.stringify(plan);
    return this.journal.transaction((tx) => {
      const existing = statement(tx.db, SELECT_PLAN).get(plan.id) as PlanRow | undefined;
      if (existing !== undefined) {
        if (existing.plan_json === planJson) return toPlanRecord(existing);
        throw new AgentError(
          ErrorCode.ActivityPlanInvalid,
          activityText('planDiffers', { id: plan.id, state: existing.state }),
          { planId: plan.id },
        );
      }
      const startsAtMs = Date.parse(plan.startsAt);
      const entry = tx.append('activity.plan_received', { plan: plan as unknown as JsonValue, source });
      statement(
        tx.db,
        `INSERT INTO activity_plans (id, type, title, starts_at_ms, duration_min, plan_json, source, state, received_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)`,
      ).run(plan.id, plan.type, plan.title, startsAtMs, plan.durationMin, planJson, source, entry.seq);
      return { plan, startsAtMs, source, state: 'scheduled', receivedSeq: entry.seq, activityId: null };
    });
  }

  cancel(planId: string, reason: string): PlanRecord {
    return this.leaveSchedule(planId, 'cancelled', 'activity.plan_cancelled', reason);
  }

  /** A plan whose whole window passed without it starting (agent down, another activity running). */
  markMissed(planId: string, reason: string): PlanRecord {
    return this.leaveSchedule(planId, 'missed', 'activity.plan_missed', reason);
  }

  /** Soonest first; all states unless some are named. */
  list(states?: readonly PlanState[]): PlanRecord[] {
    const rows = statement(
      this.journal.db,
      'SELECT * FROM activity_plans ORDER BY starts_at_ms, id',
    ).all() as PlanRow[];
    return rows.map(toPlanRecord).filter((record) => states === undefined || states.includes(record.state));
  }

  /** Scheduled plans whose start time has come by the given wall clock. */
  due(nowWallMs: number): PlanRecord[] {
    // Runs every second from the scheduler: the cached statement is compiled once.
    const rows = statement(
      this.journal.db,
      "SELECT * FROM activity_plans WHERE state = 'scheduled' AND starts_at_ms <= ? ORDER BY starts_at_ms, id",
    ).all(nowWallMs) as PlanRow[];
    return rows.map(toPlanRecord);
  }

  private leaveSchedule(planId: string, state: PlanState, eventType: string, reason: string): PlanRecord {
    return this.journal.transaction((tx) => {
      const row = statement(tx.db, SELECT_PLAN).get(planId) as PlanRow | undefined;
      if (row === undefined)
        throw new AgentError(ErrorCode.ActivityNotFound, activityText('planUnknown', { id: planId }), { planId });
      if (row.state !== 'scheduled') {
        throw new AgentError(
          ErrorCode.ActivityPlanInvalid,
          activityText('planNotScheduled', { id: planId, state: row.state, target: state }),
          { planId, state: row.state },
        );
      }
      tx.append(eventType, jsonPayload({ planId, reason }));
      statement(tx.db, 'UPDATE activity_plans SET state = ? WHERE id = ?').run(state, planId);
      return { ...toPlanRecord(row), state };
    });
  }
}
