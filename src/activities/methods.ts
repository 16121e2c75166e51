import { z } from 'zod';
import type { PlanStore } from './plans.js';
import { endReasonSchema, planStateSchema, startActivitySchema } from './schema.js';
import type { ActivityStore } from './store.js';
import type { ControlRegistry } from '../control/registry.js';

const noParams = z.strictObject({});

export const activityMethodParams = {
  start: startActivitySchema,
  end: z.strictObject({ reason: endReasonSchema.default('ended from the CLI') }),
  list: z.strictObject({ limit: z.number().int().min(1).max(1000).default(20) }),
  planAdd: z.strictObject({ plan: z.unknown() }),
  planCancel: z.strictObject({
    id: z.string().min(1).max(64),
    reason: endReasonSchema.default('cancelled from the CLI'),
  }),
  planList: z.strictObject({ states: z.array(planStateSchema).optional() }),
};

/** Activities and plans over the control socket; everything arriving here comes from the CLI. */
export function registerActivityMethods(registry: ControlRegistry, activities: ActivityStore, plans: PlanStore): void {
  registry.register('activity.start', activityMethodParams.start, (params) => activities.start(params, 'cli'));
  registry.register('activity.end', activityMethodParams.end, ({ reason }) => activities.end({ reason }));
  registry.register('activity.current', noParams, () => activities.current() ?? null);
  registry.register('activity.list', activityMethodParams.list, ({ limit }) => activities.list(limit));
  registry.register('plan.add', activityMethodParams.planAdd, ({ plan }) => plans.add(plan, 'cli'));
  registry.register('plan.cancel', activityMethodParams.planCancel, ({ id, reason }) => plans.cancel(id, reason));
  registry.register('plan.list', activityMethodParams.planList, ({ states }) => plans.list(states));
}
