import { z } from 'zod';

/**
 * The doctor's report: `room-agent doctor --json` prints it and `agent.diagnostics` carries it as
 * `doctor`. `v` changes only when a field changes meaning; new check ids may appear in any version.
 */
export const DOCTOR_REPORT_VERSION = 1;

export const DOCTOR_STATUSES = ['ok', 'fail', 'na'] as const;

export const doctorCheckSchema = z.strictObject({
  /** Stable name of the check: `config`, `storage`, `camera:<name>`… */
  id: z.string().min(1).max(80),
  /** ok ✔, fail ✘, na – (does not apply here: no camera, no systemd, no watchdog). */
  status: z.enum(DOCTOR_STATUSES),
  /** What was found, one line. */
  text: z.string().max(1000),
  /** What to do, when status is fail. */
  fix: z.string().max(1000).optional(),
  /** The check did not finish within its own timeout. */
  timedOut: z.boolean().optional(),
});

export const doctorReportSchema = z.strictObject({
  v: z.literal(DOCTOR_REPORT_VERSION),
  /** True when no check failed. */
  ok: z.boolean(),
  checks: z.array(doctorCheckSchema),
});

export type DoctorCheckResult = z.infer<typeof doctorCheckSchema>;
export type DoctorReport = z.infer<typeof doctorReportSchema>;
