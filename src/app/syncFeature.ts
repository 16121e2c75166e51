import type { ClockService } from './clockSync.js';
import type { LoadedConfig } from '../config/load.js';
import type { PhotoTaker } from '../cameras/photos.js';
import type { PushService } from '../cameras/pushService.js';
import type { RecordingStorageReport } from '../cameras/recording/storageReport.js';
import type { RecordingReport } from '../cameras/recording/types.js';
import type { EventBus } from '../daemon/bus.js';
import type { FeedbackService } from '../feedback/service.js';
import type { JournalVerification } from '../journal/verificationReport.js';
import type { Logger } from '../log.js';
import type { ScannerService } from '../scanner/service.js';
import type { RecordingUploads } from '../sync/files/recordingUploads.js';
import type { StorageMonitor } from '../store/storageMonitor.js';
import { readBoard } from '../sync/health/board.js';
import { SyncService } from '../sync/service.js';
import type { Core } from './core.js';
import type { EnrollmentFeature } from './enrollment.js';
import { agentVersion } from './version.js';
import { runDoctor } from './doctor/doctor.js';
import { daemonDoctorSources } from './doctor/daemonSources.js';
import { journalQuarantined } from '../journal/quarantine/record.js';

export interface SyncFeatureDeps {
  core: Core;
  loaded: LoadedConfig;
  clockService: ClockService;
  scanner: ScannerService;
  feedback: FeedbackService;
  enrollment: EnrollmentFeature;
  pushes: PushService;
  /** The cameras' meeting recorders, for the health message; undefined where none is recorded. */
  recorders: (() => RecordingReport[]) | undefined;
  photos: PhotoTaker;
  recordingUploads: RecordingUploads;
  /** The background verification's report (journalVerify.ts), for the health message. */
  verification: () => JournalVerification;
  storage: StorageMonitor;
  /** The recordings kept and the alarm of a segment deleted before its upload, for the health message. */
  recordingStorage: () => RecordingStorageReport;
  bus: EventBus;
  logger: Logger;
  /** Stops the daemon so that systemd starts it again (exit 75, Restart=on-failure). */
  readonly requestRestart: (reason: string) => void;
}

/** The county link over the daemon's own services: what center commands act on, what health reports. */
export function buildSyncService({
  core,
  loaded,
  clockService,
  scanner,
  feedback,
  enrollment,
  pushes,
  recorders,
  photos,
  recordingUploads,
  verification,
  storage,
  recordingStorage,
  bus,
  logger,
  requestRestart,
}: SyncFeatureDeps): SyncService {
  const { config } = loaded;
  const disk = (): ReturnType<typeof readBoard>['disk'] => readBoard({ dataDir: config.device.dataDir }).disk;
  return new SyncService({
    deviceId: config.device.id,
    county: config.county,
    journal: core.journal,
    bus,
    logger: logger.child({ service: 'sync' }),
    version: agentVersion(),
    bootId: core.clock.read().bootId,
    onCenterTime: (centerTimeMs) => clockService.reportExternalTime(centerTimeMs, 'county-center'),
    commands: ({ replayFrom }) => ({
      members: enrollment.members,
      removal: enrollment.removal,
      templates: { restore: enrollment.restore, templateKey: enrollment.templateKey },
      enrollment: enrollment.enrollment,
      // Nobody follows an enrollment the center started at a CLI: the room's lights guide the member.
      onEnrollPrompt: (prompt) => {
        logger.info({ step: prompt.step }, 'enrollment started by the center');
        if (prompt.step === 'retry') void feedback.show('retry');
      },
      activities: core.activities,
      plans: core.plans,
      cameras: { names: config.cameras.map((camera) => camera.name), control: pushes.control(photos) },
      recordings: recordingUploads,
      replayFrom,
      config: { path: loaded.path, options: loaded.options, overrideActive: loaded.overrideActive },
      requestRestart,
      diagnostics: {
        journal: core.journal,
        scanner,
        disk,
        doctor: () => runDoctor(daemonDoctorSources(loaded, core.journal, core.registry)),
      },
    }),
    pushKbps: () => pushes.liveBitrateKbps(),
    health: {
      deviceId: config.device.id,
      version: agentVersion(),
      clock: core.clock,
      journal: core.journal,
      verification,
      uptimeSeconds: () => process.uptime(),
      scanner,
      cameras: () => pushes.cameras(),
      recorders,
      board: () => readBoard({ dataDir: config.device.dataDir }),
      county: config.county,
      storage: () => storage.report(),
      recordings: recordingStorage,
      quarantined: () => journalQuarantined(config.device.dataDir),
    },
  });
}
