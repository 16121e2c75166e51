import { z } from 'zod';
import { fingerNameSchema, memberIdSchema } from '../../../members/schema.js';
import { defineCommand } from '../definition.js';
import { centerOperatorSchema } from './operator.js';

/**
 * enrollment.start {memberId, finger, consent: true, operator?}: the same enrollment as
 * `room-agent enroll` (EnrollmentService), for a member on the roster standing at the scanner;
 * answered when it is done, or with why it failed (no finger in time, a duplicate, no module).
 * The center states the member's consent; it is journaled with `member.enrolled`.
 */
export const enrollmentStart = defineCommand({
  type: 'enrollment.start',
  mode: 'task',
  params: z.strictObject({
    memberId: memberIdSchema,
    finger: fingerNameSchema,
    consent: z.literal(true),
    operator: centerOperatorSchema,
  }),
  run: ({ memberId, finger, operator }, { deps }) =>
    deps.enrollment.enroll(
      { memberId, finger, operator, consent: true },
      { onPrompt: (prompt) => deps.onEnrollPrompt(prompt) },
    ),
});
