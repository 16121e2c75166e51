import { z } from 'zod';
import type { ControlRegistry } from '../control/registry.js';
import { memberIdSchema } from '../members/schema.js';
import type { SignedIn, SignInRecorder } from './recorder.js';
import { confirmBySecretaryFinger, type SecretaryFingerDeps } from './secretaryFinger.js';

export const manualSignInParams = z
  .strictObject({
    memberId: memberIdSchema,
    /** A secretary's member id, confirming from the CLI. */
    confirmedBy: memberIdSchema.optional(),
    /** Or: wait for a secretary's finger on the sensor. */
    confirm: z.literal('finger').optional(),
    operator: z.string().trim().min(1).max(64).optional(),
  })
  .refine((params) => (params.confirmedBy === undefined) !== (params.confirm === undefined), {
    message: 'give either confirmedBy (the confirming secretary\'s member id) or confirm: "finger", not both',
  });

export const manualSignInResultSchema = z.strictObject({
  outcome: z.enum(['accepted', 'already']),
  memberId: z.string(),
  confirmedBy: z.string(),
  /** The signin.manual entry; for 'already', the member's earlier sign-in. */
  seq: z.number().int(),
});

export type ManualSignInResult = z.infer<typeof manualSignInResultSchema>;

export interface SignInMethodDeps extends SecretaryFingerDeps {
  recorder: SignInRecorder;
}

/** `signin.manual`: a supervised sign-in for a member the sensor cannot read. */
export function registerSignInMethods(registry: ControlRegistry, deps: SignInMethodDeps): void {
  registry.register('signin.manual', manualSignInParams, async ({ memberId, confirmedBy, operator }, context) => {
    if (confirmedBy !== undefined)
      return result(deps.recorder.manual(memberId, confirmedBy, 'cli', operator), confirmedBy);
    const outcome = await confirmBySecretaryFinger(deps, { memberId, operator }, (line) => context.progress(line));
    return result(outcome, outcome.confirmedBy);
  });
}

function result(outcome: SignedIn, confirmedBy: string): ManualSignInResult {
  const seq = outcome.kind === 'accepted' ? outcome.seq : outcome.sinceSeq;
  return { outcome: outcome.kind, memberId: outcome.memberId, confirmedBy, seq };
}
