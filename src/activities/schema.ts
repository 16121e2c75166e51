import { z } from 'zod';
import type { ActivitySource } from '../daemon/bus.js';

/** Meeting kinds of a village branch: "three meetings and one lesson" and the rest. */
export const ACTIVITY_TYPES = [
  'theme-party-day',
  'branch-meeting',
  'committee-meeting',
  'party-lesson',
  'organizational-life',
  'heart-to-heart',
  'study',
  'service',
  'other',
] as const;

export const activityTypeSchema = z.enum(ACTIVITY_TYPES);
export type ActivityType = z.infer<typeof activityTypeSchema>;

const title = z.string().trim().min(1).max(200);
const photos = z.number().int().min(0).max(100).describe('Photos the meeting must produce (the "three photos" rule).');
const recording = z.boolean().describe('Whether the meeting is recorded in full on video.');
/**
 * When the room sends the meeting's recording to the county: only when the center asks for it, or
 * also by itself whenever the link has nothing else to carry (sign-ins, photos, a live push).
 */
export const RECORDING_UPLOADS = ['on-request', 'when-idle'] as const;
const recordingUpload = z
  .enum(RECORDING_UPLOADS)
  .describe('When the recording goes to the county: on the center’s request, or also when the link is idle.');
export type RecordingUpload = z.infer<typeof recordingUpload>;
const durationMin = z
  .number()
  .int()
  .min(1)
  .max(24 * 60)
  .describe('Minutes the activity runs before it ends by itself.');

/** A meeting plan, pushed by the center (or given to the CLI) before the meeting. */
export const activityPlanSchema = z.strictObject({
  // Messages name what is expected: problem lines read "startsAt: "…" is not <message>".
  id: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/,
      'an id of letters, digits, ".", "_", ":" or "-" (at most 64 characters)',
    ),
  type: activityTypeSchema,
  title,
  // An offset is required: the device's time zone must not decide when a county meeting starts.
  startsAt: z.iso.datetime({
    offset: true,
    message: 'an ISO 8601 time with an offset, e.g. 2025-07-05T09:00:00+08:00',
  }),
  durationMin,
  photos,
  recording: recording.default(false),
  recordingUpload: recordingUpload.default('on-request'),
});

export type ActivityPlan = z.infer<typeof activityPlanSchema>;

/** Starting an activity on the spot (CLI, center); a missing durationMin means it runs until ended. */
export const startActivitySchema = z.strictObject({
  type: activityTypeSchema,
  title,
  photos: photos.default(0),
  recording: recording.default(false),
  recordingUpload: recordingUpload.default('on-request'),
  durationMin: durationMin.optional(),
});

/** What starting takes: the upload policy may be left out by callers in code, as the schema's default does for input. */
export type StartActivity = Omit<z.infer<typeof startActivitySchema>, 'recordingUpload'> & {
  recordingUpload?: RecordingUpload | undefined;
};

/** What a running activity carries from its plan or its starter (the activities.plan_json column). */
export const activityTermsSchema = startActivitySchema
  .pick({ photos: true, recording: true, recordingUpload: true, durationMin: true })
  .extend({
    /**
     * How late after its planned time a plan's activity started (the agent was down, or the check
     * came a moment after): the duration counts from the planned time, so it ends on schedule.
     */
    lateByMs: z.number().int().nonnegative().optional(),
  });

export type ActivityTerms = z.infer<typeof activityTermsSchema>;

export const endReasonSchema = z.string().trim().min(1).max(200);

export type { ActivitySource };
export type PlanSource = 'center' | 'cli';

/** An activity as the store returns it and the control socket carries it to the CLI. */
export const activitySchema = z.strictObject({
  id: z.string(),
  type: activityTypeSchema,
  title: z.string(),
  source: z.enum(['center', 'plan', 'cli']),
  planId: z.string().nullable(),
  ...activityTermsSchema.shape,
  startedSeq: z.number().int(),
  startedWallMs: z.number().int(),
  startedMonoMs: z.number(),
  startedBootId: z.string(),
  endedSeq: z.number().int().nullable(),
  endedWallMs: z.number().int().nullable(),
  endReason: z.string().nullable(),
});

export type Activity = z.infer<typeof activitySchema>;

export const planStateSchema = z.enum(['scheduled', 'started', 'cancelled', 'missed']);
export type PlanState = z.infer<typeof planStateSchema>;

export const planRecordSchema = z.strictObject({
  plan: activityPlanSchema,
  startsAtMs: z.number().int(),
  source: z.enum(['center', 'cli']),
  state: planStateSchema,
  receivedSeq: z.number().int(),
  activityId: z.string().nullable(),
});

export type PlanRecord = z.infer<typeof planRecordSchema>;
