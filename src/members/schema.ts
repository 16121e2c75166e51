import type { ScannerFamily } from '../../drivers/scanner.js';
import { z } from 'zod';

/**
 * A member number as the county assigns it (keyboard-wedge readers type it): letters, digits and
 * `-_.`, so that it is safe in a log line, a file name and an MQTT topic.
 */
export const memberIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'a member number of 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/** A branch secretary may confirm a manual sign-in with their own finger. */
export const memberRoleSchema = z.enum(['member', 'secretary']);

/** The center marks members who left or moved as inactive; the roster keeps them until it deletes them. */
export const memberStatusSchema = z.enum(['active', 'inactive']);

export const memberSchema = z.strictObject({
  memberId: memberIdSchema,
  name: z.string().trim().min(1).max(100),
  role: memberRoleSchema.default('member'),
  status: memberStatusSchema.default('active'),
});

export type Member = z.output<typeof memberSchema>;
export type MemberInput = z.input<typeof memberSchema>;
export type MemberRole = z.infer<typeof memberRoleSchema>;

/** Where a roster change came from: the county's roster sync or a technician on site. */
export type MemberSource = 'center' | 'cli';

/** The ten fingers, named as the CLI takes them (`--finger right-index`). */
export const FINGER_NAMES = [
  'right-thumb',
  'right-index',
  'right-middle',
  'right-ring',
  'right-little',
  'left-thumb',
  'left-index',
  'left-middle',
  'left-ring',
  'left-little',
] as const;

export const fingerNameSchema = z.enum(FINGER_NAMES);
export type FingerName = z.infer<typeof fingerNameSchema>;

/** The module family a template was read from: it restores only onto the same family. */
export const moduleFamilySchema = z.enum(['r30x', 'gt521']) satisfies z.ZodType<ScannerFamily>;

/** An enrolled finger as `members list` shows it: where it lives, never its template. */
export const enrolledFingerSchema = z.strictObject({
  finger: fingerNameSchema,
  slot: z.number().int().nonnegative(),
  moduleFamily: moduleFamilySchema,
  templateSize: z.number().int().positive(),
  enrolledSeq: z.number().int().positive(),
});

export type EnrolledFinger = z.infer<typeof enrolledFingerSchema>;

export const rosterEntrySchema = z.strictObject({
  memberId: memberIdSchema,
  name: z.string(),
  role: memberRoleSchema,
  status: memberStatusSchema,
  updatedSeq: z.number().int().nonnegative(),
  fingers: z.array(enrolledFingerSchema),
});

export type RosterEntry = z.infer<typeof rosterEntrySchema>;
