import { z } from 'zod';
import { activitySchema } from '../activities/schema.js';
import type { ActivityStore } from '../activities/store.js';
import type { RecordingStorageReport } from '../cameras/recording/storageReport.js';
import type { RecordingReport } from '../cameras/recording/types.js';
import type { CameraReport } from '../cameras/types.js';
import type { ServiceStatus } from '../daemon/supervisor.js';
import type { JournalHead, VerifyResult } from '../journal/types.js';
import type { JournalVerification } from '../journal/verificationReport.js';
import { collectSyncStatus, syncStatusSchema, type SyncStatusSources } from '../sync/health/syncStatus.js';
// Status shows a camera as health carries it: no URL; the CLI words the problem's advice in the reader's language.
import {
  cameraReportSchema,
  recordingReportSchema,
  journalQuarantinedSchema,
  recordingStorageSchema,
  journalVerificationSchema,
  type JournalQuarantined,
} from '../sync/protocol/messages.js';
import type { ControlRegistry } from '../control/registry.js';
import { STORAGE_STATES } from '../store/storageGuard.js';
import type { StorageMonitor } from '../store/storageMonitor.js';

const verifySchema = z.union([
  z.strictObject({ ok: z.literal(true), checkedFrom: z.number(), checkedTo: z.number(), entries: z.number() }),
  z.strictObject({ ok: z.literal(false), firstBrokenSeq: z.number(), reason: z.string(), checkedFrom: z.number() }),
]);

/** What `room-agent status` shows; the same shape from the daemon and from a standalone CLI. */
export const statusSchema = z.strictObject({
  version: z.string(),
  /** Null when no daemon runs and the CLI read the journal itself. */
  daemon: z.strictObject({ pid: z.number().int(), uptimeSeconds: z.number() }).nullable(),
  services: z.array(
    z.strictObject({
      name: z.string(),
      state: z.enum(['ok', 'degraded', 'failed', 'stopped', 'starting']),
      detail: z.string().optional(),
    }),
  ),
  journal: z.strictObject({
    head: z.strictObject({ seq: z.number().int(), hash: z.string() }),
    lastVerify: verifySchema.nullable(),
    /** What was verified and when: the last check, the last full verification, one under way. */
    verification: journalVerificationSchema,
    /** The latest quarantine of a damaged journal, while its files wait in `<dataDir>/quarantine/`. */
    quarantined: journalQuarantinedSchema.nullable(),
  }),
  activity: activitySchema.nullable(),
  /** The cameras' pushes; empty without a daemon. */
  cameras: z.array(cameraReportSchema),
  /** The cameras' meeting recorders; empty without a daemon or a recorded camera. */
  recorders: z.array(recordingReportSchema),
  config: z.strictObject({ path: z.string(), overrideActive: z.boolean() }),
  sync: syncStatusSchema,
  /** The data directory's storage: its named state, what is free, and the fix in the reader's language. */
  storage: z.strictObject({
    state: z.enum(STORAGE_STATES),
    freeBytes: z.number().nullable(),
    freeInodes: z.number().nullable(),
    reserveBytes: z.number(),
    failedWrites: z.number().int(),
    advice: z.string().optional(),
  }),
  /** The meeting recordings on the card and the alarm of segments deleted before their upload. */
  recordings: recordingStorageSchema,
});

export type Status = z.infer<typeof statusSchema>;

export interface StatusSources {
  version: string;
  /** The running daemon's services; absent for a standalone CLI. */
  daemon?: { services(): ServiceStatus[]; cameras(): CameraReport[]; recorders(): RecordingReport[] } | undefined;
  journal: { head(): JournalHead; readonly lastVerify: VerifyResult | undefined };
  /** The daemon's background verification, or what the journal file records when no daemon runs. */
  verification: () => JournalVerification;
  /** The alarm of a quarantined journal (journal/quarantine/record.ts latestQuarantine). */
  quarantined: () => JournalQuarantined | undefined;
  activities: ActivityStore;
  config: { path: string; overrideActive: boolean };
  sync: SyncStatusSources;
  storage: Pick<StorageMonitor, 'check' | 'report' | 'advice'>;
  recordings: () => RecordingStorageReport;
}

export function collectStatus({
  version,
  daemon,
  journal,
  verification,
  activities,
  config,
  sync,
  storage,
  recordings,
  quarantined,
}: StatusSources): Status {
  // Measured afresh: a card freed a moment ago shows at once, not at the monitor's next check.
  storage.check();
  const advice = storage.advice();
  return {
    version,
    daemon: daemon === undefined ? null : { pid: process.pid, uptimeSeconds: Math.round(process.uptime()) },
    services: (daemon?.services() ?? []).map(({ name, state, detail }) =>
      detail === undefined ? { name, state } : { name, state, detail },
    ),
    journal: {
      head: journal.head(),
      lastVerify: journal.lastVerify ?? null,
      verification: verification(),
      quarantined: quarantined() ?? null,
    },
    activity: activities.current() ?? null,
    cameras: daemon?.cameras() ?? [],
    recorders: daemon?.recorders() ?? [],
    config,
    sync: collectSyncStatus(sync),
    storage: { ...storage.report(), ...(advice !== undefined && { advice }) },
    recordings: recordings(),
  };
}

export function registerStatusMethod(registry: ControlRegistry, sources: StatusSources): void {
  registry.register('status', z.strictObject({}), () => collectStatus(sources));
}
