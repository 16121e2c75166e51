import {
  activityPlanSchema,
  activityTermsSchema,
  type Activity,
  type ActivitySource,
  type ActivityType,
  type PlanRecord,
  type PlanSource,
  type PlanState,
} from './schema.js';

/** Rows as better-sqlite3 returns them from the activities and activity_plans tables. */
export interface ActivityRow {
  id: string;
  type: string;
  title: string;
  source: string;
  plan_id: string | null;
  plan_json: string;
  started_seq: number;
  started_wall_ms: number;
  started_mono_ms: number;
  started_boot_id: string;
  ended_seq: number | null;
  ended_wall_ms: number | null;
  end_reason: string | null;
}

export interface PlanRow {
  id: string;
  plan_json: string;
  starts_at_ms: number;
  source: string;
  state: string;
  received_seq: number;
  activity_id: string | null;
}

/** The columns hold only what the store wrote; parsing again keeps the types honest. */
export function toActivity(row: ActivityRow): Activity {
  return {
    id: row.id,
    type: row.type as ActivityType,
    title: row.title,
    source: row.source as ActivitySource,
    planId: row.plan_id,
    ...activityTermsSchema.parse(JSON.parse(row.plan_json)),
    startedSeq: row.started_seq,
    startedWallMs: row.started_wall_ms,
    startedMonoMs: row.started_mono_ms,
    startedBootId: row.started_boot_id,
    endedSeq: row.ended_seq,
    endedWallMs: row.ended_wall_ms,
    endReason: row.end_reason,
  };
}

export function toPlanRecord(row: PlanRow): PlanRecord {
  return {
    plan: activityPlanSchema.parse(JSON.parse(row.plan_json)),
    startsAtMs: row.starts_at_ms,
    source: row.source as PlanSource,
    state: row.state as PlanState,
    receivedSeq: row.received_seq,
    activityId: row.activity_id,
  };
}
