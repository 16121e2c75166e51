import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { FingerprintScanner } from '../../drivers/scanner.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Feedback } from '../feedback/service.js';
import type { Journal } from '../journal/journal.js';
import { fingerAtSlot } from '../members/fingerRows.js';
import type { ScannerAccess } from '../members/scannerAccess.js';
import { findMember } from '../members/store.js';
import { waitForLift } from './fingerLift.js';
import { requireMember, type SignedIn, type SignInRecorder } from './recorder.js';

/** Progress lines while waiting for the secretary's finger. */
export const confirmProgressSchema = z.discriminatedUnion('step', [
  z.strictObject({ step: z.literal('place'), memberId: z.string(), seconds: z.number() }),
  z.strictObject({ step: z.literal('not-secretary') }),
  z.strictObject({ step: z.literal('unknown-finger') }),
  z.strictObject({ step: z.literal('retry') }),
]);

export type ConfirmProgress = z.infer<typeof confirmProgressSchema>;

export interface SecretaryFingerDeps {
  journal: Pick<Journal, 'db'>;
  recorder: SignInRecorder;
  scanner: ScannerAccess;
  feedback: Feedback;
  pollIntervalMs: number;
}

export const CONFIRM_TIMEOUT_MS = 30_000;

/**
 * A manual sign-in confirmed by the branch secretary's own finger: the member the sensor cannot
 * read is signed in once a finger on the sensor identifies a secretary. Fingers of anyone else
 * are answered with the rejection signal and a progress line; nothing of them is journaled.
 */
export async function confirmBySecretaryFinger(
  deps: SecretaryFingerDeps,
  request: { memberId: string; operator?: string | undefined; timeoutMs?: number | undefined },
  progress: (line: ConfirmProgress) => void,
): Promise<SignedIn & { confirmedBy: string }> {
  requireMember(deps.journal.db, request.memberId, 'member');
  const timeoutMs = request.timeoutMs ?? CONFIRM_TIMEOUT_MS;
  return deps.scanner.exclusive(
    'manual sign-in (secretary finger)',
    async (scanner) => {
      progress({ step: 'place', memberId: request.memberId, seconds: Math.round(timeoutMs / 1000) });
      const deadline = AbortSignal.timeout(timeoutMs);
      while (!deadline.aborted) {
        const found = await fingerOnSensor(deps, scanner, progress);
        if (found.kind === 'nobody') {
          await sleep(deps.pollIntervalMs);
          continue;
        }
        if (found.kind === 'secretary') {
          const confirmedBy = found.memberId;
          const outcome = deps.recorder.manual(request.memberId, confirmedBy, 'secretary-finger', request.operator);
          await deps.feedback.show(outcome.kind === 'already' ? 'already' : 'accepted', scanner);
          await waitForLift(scanner, deps.pollIntervalMs, deadline);
          return { ...outcome, confirmedBy };
        }
        await waitForLift(scanner, deps.pollIntervalMs, deadline);
      }
      throw new AgentError(
        ErrorCode.ConfirmationTimeout,
        `no secretary's finger confirmed the manual sign-in of ${request.memberId} within ${Math.round(timeoutMs / 1000)} s; try again, or confirm with --confirmed-by SECRETARY_ID`,
        { memberId: request.memberId },
      );
    },
    undefined,
    { usesFinger: true },
  );
}

type OnSensor = { kind: 'nobody' } | { kind: 'someone-else' } | { kind: 'secretary'; memberId: string };

/** Whose finger is on the sensor; anyone but a secretary is told so at once. */
async function fingerOnSensor(
  deps: SecretaryFingerDeps,
  scanner: FingerprintScanner,
  progress: (line: ConfirmProgress) => void,
): Promise<OnSensor> {
  const outcome = await scanner.identify();
  if (outcome.kind === 'no-finger') return { kind: 'nobody' };
  if (outcome.kind === 'poor-image') {
    progress({ step: 'retry' });
    await deps.feedback.show('retry', scanner);
    return { kind: 'someone-else' };
  }
  const finger = outcome.kind === 'match' ? fingerAtSlot(deps.journal.db, outcome.slot) : undefined;
  const member = finger === undefined ? undefined : findMember(deps.journal.db, finger.memberId);
  if (member?.role === 'secretary') return { kind: 'secretary', memberId: member.memberId };
  progress({ step: member === undefined ? 'unknown-finger' : 'not-secretary' });
  await deps.feedback.show('rejected', scanner);
  return { kind: 'someone-else' };
}
