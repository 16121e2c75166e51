import type { PlanStore } from '../../activities/plans.js';
import type { ActivityStore } from '../../activities/store.js';
import type { CameraControl } from '../../cameras/control.js';
import type { LoadOptions } from '../../config/load.js';
import type { EnrollGuide, EnrollmentService } from '../../enrollment/enrollment.js';
import type { Journal } from '../../journal/journal.js';
import type { MemberRemoval } from '../../members/removal.js';
import type { MemberStore } from '../../members/store.js';
import type { ModuleRestore } from '../../templates/restore.js';
import type { RecordingUploads } from '../files/recordingUploads.js';
import type { DoctorReport } from '../protocol/doctorReport.js';

/** The configuration files the daemon runs on, for config.set and diagnostics. */
export interface ConfigTarget {
  /** The main file the daemon was started with. */
  path: string;
  /** The daemon's load options (--data-dir; secrets come from the environment). */
  options: LoadOptions;
  /** A remote override is part of the running configuration (LoadedConfig.overrideActive). */
  overrideActive: boolean;
}

/** The agent's own checks that `diagnostics` reports, besides the configuration and the link. */
export interface DiagnosticSources {
  /** A full verification of the chain (synchronous: it reads every entry). */
  journal: Pick<Journal, 'verify'>;
  scanner: { state(): string; stateDetail(): string | undefined };
  /** The data directory's file system (readBoard(…).disk), null when it cannot be read. */
  readonly disk: () => { freeBytes: number; totalBytes: number } | null;
  /** `room-agent doctor`'s checks, run in the daemon, in English for the county's operators. */
  readonly doctor: () => Promise<DoctorReport>;
}

/**
 * Everything center commands act on: the composition root passes the daemon's own services,
 * so a command does exactly what the same action on the control socket does.
 */
export interface CommandDependencies {
  members: Pick<MemberStore, 'upsertMembers'>;
  removal: Pick<MemberRemoval, 'removeFromRoster' | 'deleteQueuedSlots'>;
  /** templates.restore: the existing restore path, and the key it expects the templates sealed with. */
  templates: { restore: Pick<ModuleRestore, 'restore'>; templateKey(): Buffer };
  enrollment: Pick<EnrollmentService, 'enroll'>;
  /**
   * Where the prompts of an enrollment started by the center go (place, lift, place again): no
   * technician follows it at a CLI, so the room's feedback (or at least the log) has to.
   */
  onEnrollPrompt: EnrollGuide['onPrompt'];
  activities: Pick<ActivityStore, 'start' | 'end'>;
  plans: Pick<PlanStore, 'add' | 'cancel'>;
  /** config.cameras names, and the seam the camera service fills. */
  cameras: { names: readonly string[]; control: CameraControl };
  /** recording.upload: the meeting recordings the center asks for. */
  recordings: Pick<RecordingUploads, 'knows' | 'request'>;
  /** Sends the journal again from `seq` (EventOutbox.replayFrom). */
  replayFrom(seq: number): { fromSeq: number; toSeq: number };
  config: ConfigTarget;
  /** Stops the daemon so that systemd starts it again (on a new configuration, if one was written). */
  requestRestart(reason: string): void;
  diagnostics: DiagnosticSources;
}
