import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HealthChanges } from '../../daemon/healthChanges.js';
import type { Service, ServiceHealth } from '../../daemon/service.js';
import { jsonPayload } from '../../journal/payload.js';
import type { RandomSource } from '../../util/backoff.js';
import type { ActivityMediaOptions } from '../activityMedia.js';
import { cameraAdvice } from '../messages.js';
import { MediaSupervisor } from '../supervisor.js';
import type { CameraProbe, CameraState, FfmpegLauncher } from '../types.js';
import { createRecordTools, type RecordCamera, type RecordTools } from './recordTools.js';
import {
  nextRun,
  SEGMENT_DAMAGED_EVENT,
  segmentFolder,
  sweepFolder,
  type DamagedSegment,
  type SegmentFolder,
  type SweepContext,
  type SweepResult,
} from './segmentFolder.js';
import { indexSegment, RECORDINGS_DIR, segmentAt, selectSegments, type ClosedSegment } from './segments.js';
import type { SegmentTools } from './segmentTools.js';
import type { RecordingReport } from './types.js';

/** Where the recorder asks whether media may be written now: the composition root wires storage checks to it. */
export interface RecordingRoom {
  /** Why recording must stop now (English), e.g. too little free space; undefined when it may go on. */
  refusal(): string | undefined;
}

/** What the recorder needs of the running activity. */
export interface RecordedActivity {
  id: string;
  recording: boolean;
}

/** Its endLeftovers also ends the checks an earlier agent left running, and runs before any segment file is looked at. */
export interface RecordingServiceOptions extends ActivityMediaOptions<RecordedActivity> {
  cameras: readonly RecordCamera[];
  dataDir: string;
  segmentSeconds: number;
  launcher: FfmpegLauncher;
  probe: CameraProbe;
  segmentTools: SegmentTools;
  room: RecordingRoom;
  now?: (() => number) | undefined;
  random?: RandomSource | undefined;
}

/** Closed segments are looked for, and free space checked, this often. */
const SWEEP_MS = 1_000;
/** The longest wait before a folder whose segments the journal refused is swept again. */
const RETRY_MAX_MS = 60_000;
/** The supervisor states in which ffmpeg may still be writing its run's last segment. */
const RUNNING: ReadonlySet<CameraState> = new Set(['starting', 'live', 'stalled']);

interface Recorder {
  camera: RecordCamera;
  folder: SegmentFolder;
  tools: RecordTools;
  supervisor: MediaSupervisor;
  /** The activity's recording of this camera is over; its folder is swept until all of it is indexed. */
  ended: boolean;
}

/**
 * The meeting recordings: while an activity with `recording: true` runs, each recorded camera's
 * main stream is written as MPEG-TS segments by an ffmpeg of its own (a push that stalls or
 * restarts never touches it), supervised like the push (probe, stall watchdog, backoff, restart
 * cap). Each segment ffmpeg closes is made durable, hashed and indexed; after start, what a crash
 * left open is cut to its last clean packet and indexed as truncated, while a running activity's
 * recording resumes at once. Recording stops, closing its segment, when the room refuses media (too little
 * free space), and starts again when it no longer does.
 */
export class RecordingService implements Service {
  readonly name = 'recordings';
  private readonly recorders = new Map<string, Recorder>();
  /** Folders of ended recordings with segments not indexed yet (the journal could not be written). */
  private readonly unsettled: Recorder[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  /** The start's recovery of what a crash left; resolved once it is over. */
  private recovering: Promise<void> = Promise.resolve();
  private stopping = false;
  /** What was made of segments whose entries the journal refused (see SweepContext.pending). */
  private readonly pending = new Map<string, ClosedSegment | DamagedSegment>();
  /** Folders whose last sweep was blocked: when to sweep them again, the wait doubling up to RETRY_MAX_MS. */
  private readonly retries = new Map<string, { delayMs: number; atMs: number }>();
  private refused: string | undefined;
  private readonly healthChanges: HealthChanges;
  private readonly now: () => number;
  private running = false;
  /** Why cameras of the current activity are not recorded: their recording could not start (English). */
  private beginProblems: string[] = [];

  constructor(private readonly options: RecordingServiceOptions) {
    this.now = options.now ?? (() => performance.now());
    this.healthChanges = new HealthChanges(this, options.bus);
  }

  async start(): Promise<void> {
    const { options } = this;
    await options.endLeftovers();
    this.stopping = false;
    // Recovery decodes what a crash left, which takes minutes on a slow board: it runs after the
    // start (READY=1 must not wait for it), and every sweep waits for it, so no file is looked at twice.
    this.recovering = this.recoverAll().catch((error: unknown) =>
      options.logger.error({ err: error }, 'recordings not recovered: the next start tries again'),
    );
    this.refused = options.room.refusal();
    options.bus.on(this.name, 'activity.started', () => this.follow());
    options.bus.on(this.name, 'activity.ended', () => void this.endAll());
    this.running = true;
    this.timer = setInterval(() => this.tick(), SWEEP_MS);
    this.follow();
    this.healthChanges.note();
  }

  async stop(): Promise<void> {
    this.options.bus.removeOwner(this.name);
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = true;
    await this.recovering;
    await this.endAll();
    await this.sweeping;
    this.running = false;
  }

  health(): ServiceHealth {
    if (!this.running) return { state: 'stopped' };
    const troubled = this.recordings().filter(
      (report) => report.state === 'no-space' || (report.problem !== undefined && report.state !== 'live'),
    );
    const details = [
      ...this.beginProblems,
      ...troubled.map((report) => `${report.camera}: ${report.state} (${report.detail ?? ''})`),
    ];
    if (details.length === 0) return { state: 'ok' };
    return { state: 'degraded', detail: details.join(', ') };
  }

  /** Every recorded camera's recording state; English detail (health goes to the county). */
  recordings(): RecordingReport[] {
    return this.options.cameras.map((camera) => {
      const recorder = this.recorders.get(camera.name);
      if (recorder === undefined) return { camera: camera.name, state: 'idle', segments: 0 };
      const pushReport = recorder.supervisor.report();
      const segments = selectSegments(this.options.journal.db, {
        activityId: recorder.folder.activityId,
        camera: camera.name,
      }).length;
      const base = { camera: camera.name, activityId: recorder.folder.activityId, segments };
      if (this.refused !== undefined && !RUNNING.has(pushReport.state))
        return { ...base, state: 'no-space', detail: this.refused };
      return {
        ...base,
        state: pushReport.state,
        ...(pushReport.problem !== undefined && {
          problem: pushReport.problem,
          detail: cameraAdvice(pushReport.problem, 'en'),
          ...(pushReport.lastError !== undefined && { lastError: pushReport.lastError }),
        }),
      };
    });
  }

  /**
   * Starts recording the current activity when it asks for it and is not recorded yet. Called on
   * the activity's start and at every tick: a camera whose folder could not be read (a failing
   * card) is tried again, and the error never reaches the bus, whose other listeners of the same
   * start (push, photos) would be skipped.
   */
  private follow(): void {
    const activity = this.options.activities.current();
    const problems: string[] = [];
    if (activity?.recording === true) {
      for (const camera of this.options.cameras) {
        const present = this.recorders.get(camera.name);
        if (present?.folder.activityId === activity.id) continue;
        try {
          this.begin(camera, activity.id);
        } catch (error) {
          problems.push(`${camera.name}: recording could not start: ${(error as Error).message}`);
          if (!this.beginProblems.includes(problems.at(-1)!))
            this.options.logger.error(
              { err: error, camera: camera.name, activityId: activity.id },
              'recording could not start: tried again every second',
            );
        }
      }
    }
    if (problems.join() !== this.beginProblems.join()) {
      this.beginProblems = problems;
      this.healthChanges.note();
    }
  }

  private begin(camera: RecordCamera, activityId: string): void {
    const { options } = this;
    const folder = segmentFolder(options.dataDir, activityId, camera.name);
    const indexed = selectSegments(options.journal.db, { activityId, camera: camera.name }).map((row) => row.path);
    const tools = createRecordTools({
      camera,
      folder,
      segmentSeconds: options.segmentSeconds,
      firstRun: nextRun(folder, indexed),
      launcher: options.launcher,
      probe: options.probe,
    });
    const supervisor = new MediaSupervisor({
      target: camera,
      tools,
      wish: () => (this.refused === undefined ? 'push' : 'stopped'),
      onChange: () => this.changed(camera.name),
      now: this.now,
      random: options.random ?? Math.random,
      logger: options.logger,
    });
    this.recorders.set(camera.name, { camera, folder, tools, supervisor, ended: false });
    options.logger.info({ camera: camera.name, activityId }, 'recording started');
    supervisor.start();
  }

  /** Ends every recording gracefully (ffmpeg closes its segment) and indexes what it closed. */
  private async endAll(): Promise<void> {
    const ending = [...this.recorders.values()];
    this.recorders.clear();
    await Promise.all(
      ending.map(async (recorder) => {
        await recorder.supervisor.stop();
        recorder.ended = true;
        this.unsettled.push(recorder);
        this.options.logger.info(
          { camera: recorder.camera.name, activityId: recorder.folder.activityId },
          'recording ended',
        );
      }),
    );
    this.healthChanges.note();
    // A sweep under way may have begun before these recordings ended: one more pass takes their last segments.
    await this.sweeping;
    await this.sweep();
  }

  private tick(): void {
    const refused = this.options.room.refusal();
    if (refused !== this.refused) {
      this.refused = refused;
      if (refused !== undefined) this.options.logger.warn({ reason: refused }, 'recording stopped: no room for media');
      else this.options.logger.info('recording may go on: room for media again');
      for (const recorder of this.recorders.values()) recorder.supervisor.poke();
      this.healthChanges.note();
    }
    this.follow();
    void this.sweep();
  }

  /** One pass over the folders being recorded and those not yet settled; never two at once. */
  private sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    await this.recovering;
    for (const recorder of [...this.recorders.values(), ...this.unsettled]) {
      // Read before the sweep: a run that ends during it has its last segment looked at next time,
      // so only a recording that had ended before this pass is settled by it.
      const wasEnded = recorder.ended;
      const open = !wasEnded && RUNNING.has(recorder.supervisor.report().state) ? recorder.tools.run() : undefined;
      const result = await this.guardedSweep(recorder.folder, open);
      if (result.indexed > 0) this.healthChanges.note();
      const at = this.unsettled.indexOf(recorder);
      if (wasEnded && !result.blocked && at >= 0) this.unsettled.splice(at, 1);
    }
  }

  /** After start: every folder's segments left closed-but-unindexed or open by a crash are indexed. */
  private async recoverAll(): Promise<void> {
    const root = join(this.options.dataDir, RECORDINGS_DIR);
    if (!existsSync(root)) return;
    const folders = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
    for (const activityId of folders(root)) {
      for (const camera of folders(join(root, activityId))) {
        if (this.stopping) return;
        const folder = segmentFolder(this.options.dataDir, activityId, camera);
        // The meeting may be recorded again already: its new run's open segment is left to the sweeps.
        const recorder = this.recorders.get(camera);
        const open = recorder?.folder.relDir === folder.relDir ? recorder.tools.run() : undefined;
        const result = await this.guardedSweep(folder, open);
        if (result.indexed > 0) this.options.logger.info({ activityId, camera, ...result }, 'recording recovered');
      }
    }
  }

  private async guardedSweep(folder: SegmentFolder, open: string | undefined): Promise<SweepResult> {
    const retry = this.retries.get(folder.relDir);
    if (retry !== undefined && this.now() < retry.atMs) return { indexed: 0, blocked: true };
    let result: SweepResult;
    try {
      result = await sweepFolder(folder, open, this.sweepContext());
    } catch (error) {
      this.options.logger.error({ err: error, folder: folder.relDir }, 'recording folder not swept: tried again later');
      result = { indexed: 0, blocked: true };
    }
    if (!result.blocked) this.retries.delete(folder.relDir);
    else {
      // A journal that refuses writes (a full or read-only card) is not asked every second.
      const delayMs = Math.min(RETRY_MAX_MS, (retry?.delayMs ?? SWEEP_MS / 2) * 2);
      this.retries.set(folder.relDir, { delayMs, atMs: this.now() + delayMs });
    }
    return result;
  }

  private sweepContext(): SweepContext {
    const { journal, clock, segmentTools, logger } = this.options;
    return {
      tools: segmentTools,
      clock,
      logger,
      indexed: (path) => segmentAt(journal.db, path) !== undefined,
      index: (segment) => {
        const row = journal.transaction((tx) => indexSegment(tx, segment));
        logger.info(
          {
            camera: row.camera,
            activityId: row.activityId,
            index: row.index,
            file: row.path,
            truncated: row.truncated,
          },
          'recording segment indexed',
        );
      },
      damaged: (entry) => journal.transaction((tx) => tx.append(SEGMENT_DAMAGED_EVENT, jsonPayload({ ...entry }))),
      pending: this.pending,
    };
  }

  private changed(camera: string): void {
    const report = this.recordings().find((recording) => recording.camera === camera);
    this.options.logger.info({ ...report }, 'recording state');
    this.healthChanges.note();
  }
}
