import { z } from 'zod';
import type { EnrollPrompt } from '../../drivers/scanner.js';
import type { ControlRegistry } from '../control/registry.js';
import { fingerNameSchema, memberIdSchema } from '../members/schema.js';
import type { EnrollmentService } from './enrollment.js';

export const enrollParams = z.strictObject({
  memberId: memberIdSchema,
  finger: fingerNameSchema,
  operator: z.string().trim().min(1).max(64),
  consent: z.boolean(),
});

export const enrollResultSchema = z.strictObject({
  memberId: z.string(),
  finger: fingerNameSchema,
  slot: z.number().int(),
  moduleFamily: z.string(),
  templateSize: z.number().int(),
  escrowed: z.boolean(),
  seq: z.number().int(),
});

/** The technician's prompts (place, lift, place again) stream to the CLI as progress lines. */
export const enrollPromptSchema = z.discriminatedUnion('step', [
  z.strictObject({ step: z.literal('place'), scan: z.number().int(), of: z.number().int() }),
  z.strictObject({ step: z.literal('captured'), scan: z.number().int(), of: z.number().int() }),
  z.strictObject({ step: z.literal('lift') }),
  z.strictObject({ step: z.literal('retry'), scan: z.number().int(), reason: z.string() }),
]) satisfies z.ZodType<EnrollPrompt>;

export function registerEnrollMethod(registry: ControlRegistry, enrollment: EnrollmentService): void {
  registry.register('enroll', enrollParams, (request, { progress, signal }) =>
    enrollment.enroll(request, { onPrompt: progress, signal }),
  );
}
