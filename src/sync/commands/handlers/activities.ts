import { z } from 'zod';
import { activityPlanSchema, endReasonSchema, startActivitySchema } from '../../../activities/schema.js';
import { defineCommand } from '../definition.js';

/** activity.start {type, title, photos?, recording?, durationMin?}: source `center`; refused while another runs. */
export const activityStart = defineCommand({
  type: 'activity.start',
  mode: 'atomic',
  params: startActivitySchema,
  run: (params, { deps }) => deps.activities.start(params, 'center'),
});

/** activity.end {reason?, activityId?}: ends the running activity (only that one, when named). */
export const activityEnd = defineCommand({
  type: 'activity.end',
  mode: 'atomic',
  params: z.strictObject({
    reason: endReasonSchema.default('ended by the county center'),
    activityId: z.string().min(1).max(64).optional(),
  }),
  run: ({ reason, activityId }, { deps }) => deps.activities.end({ reason, activityId }),
});

/** plans.add {plan}: the plan is checked here, so a bad one is `invalid-params`; the same plan again changes nothing. */
export const plansAdd = defineCommand({
  type: 'plans.add',
  mode: 'atomic',
  params: z.strictObject({ plan: activityPlanSchema }),
  run: ({ plan }, { deps }) => deps.plans.add(plan, 'center'),
});

/** plans.cancel {id, reason?}: only a plan still scheduled. */
export const plansCancel = defineCommand({
  type: 'plans.cancel',
  mode: 'atomic',
  params: z.strictObject({
    id: z.string().min(1).max(64),
    reason: endReasonSchema.default('cancelled by the county center'),
  }),
  run: ({ id, reason }, { deps }) => deps.plans.cancel(id, reason),
});
