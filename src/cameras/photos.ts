import { elapsedSince } from '../clock/elapsed.js';
import { HealthChanges } from '../daemon/healthChanges.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import { AgentError, ErrorCode, isAgentError } from '../errors.js';
import type { ActivityMediaOptions } from './activityMedia.js';
import type { PhotoCapture } from './photoCapture.js';
import { PhotoGrabError } from './photoGrab.js';
import { appendMissed, doneSlots, type PhotoOwner, type TakenPhoto } from './photoJournal.js';
import { dueSlots, endSlotAction, type PhotoTerms } from './photoSchedule.js';

/** The photo half of the center's camera commands: `camera.photo` replies with what this returns. */
export interface PhotoTaker {
  /** Throws PhotoGrabError (CameraPhotoFailed) when the camera gave no picture after a few tries. */
  take(camera: string): Promise<TakenPhoto>;
}

/** What the photos need of a running activity (the activity store's rows have it). */
export interface PhotoActivity {
  id: string;
  photos: number;
  durationMin?: number | undefined;
  /** How late after its planned time a plan's activity started: its photo times count from the plan. */
  lateByMs?: number | undefined;
  startedSeq: number;
  startedWallMs: number;
  startedMonoMs: number;
  startedBootId: string;
}

export interface MeetingPhotoOptions extends ActivityMediaOptions<PhotoActivity> {
  /** The camera that takes the meeting photos (main stream); undefined: no scheduled photos. */
  photoCamera: { name: string; url: string } | undefined;
  /** Main stream of every camera by name, for `camera.photo`. */
  cameraUrls: ReadonlyMap<string, string>;
  /** Between photos of an activity with no planned duration. */
  intervalMinutes: number;
  capture: PhotoCapture;
}

/** As often as the activity scheduler checks, and for the same reason: a wall-clock jump is seen at once. */
const CHECK_INTERVAL_MS = 1_000;
const MINUTE_MS = 60_000;

const AGENT_DOWN = 'its time passed while the agent was not running';

interface Followed {
  activity: PhotoActivity;
  terms: PhotoTerms;
  /** Slots journaled (taken or missed) or being taken now. */
  done: Set<number>;
}

/**
 * The meeting photos ("three photos" of every meeting): the photo camera photographs each
 * activity at the times its `photos` term gives (photoSchedule.ts), and on the center's command.
 * Only activities trigger photos, never a sign-in: members' faces are personal data. The schedule
 * lives in the journal: a restarted agent reads which slots were done and goes on with the rest.
 */
export class MeetingPhotoService implements Service, PhotoTaker {
  readonly name = 'meeting-photos';
  private timer: NodeJS.Timeout | undefined;
  private followed: Followed | undefined;
  private lastFailure: string | undefined;
  private stopping = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly healthChanges: HealthChanges;

  constructor(private readonly options: MeetingPhotoOptions) {
    this.healthChanges = new HealthChanges(this, options.bus);
  }

  async start(): Promise<void> {
    await this.options.endLeftovers();
    this.stopping = new AbortController();
    const { bus } = this.options;
    bus.on(this.name, 'activity.started', ({ activityId }) => {
      const activity = this.options.activities.current();
      if (activity?.id === activityId) this.follow(activity);
    });
    bus.on(this.name, 'activity.ended', ({ activityId }) => this.ended(activityId));
    this.timer = setInterval(() => this.check(), CHECK_INTERVAL_MS);
    const running = this.options.activities.current();
    if (running !== undefined) this.follow(running);
  }

  /** Stops a grab under way (its slot is not journaled, so the next start takes it as a catch-up). */
  async stop(): Promise<void> {
    this.options.bus.removeOwner(this.name);
    clearInterval(this.timer);
    this.timer = undefined;
    this.followed = undefined;
    this.stopping.abort();
    await Promise.allSettled([...this.pending]);
  }

  health(): ServiceHealth {
    if (this.timer === undefined) return { state: 'stopped' };
    return this.lastFailure === undefined ? { state: 'ok' } : { state: 'degraded', detail: this.lastFailure };
  }

  async take(camera: string): Promise<TakenPhoto> {
    const url = this.options.cameraUrls.get(camera);
    // The command handler checks names against the configuration first: this is a wiring fault.
    if (url === undefined)
      throw new AgentError(ErrorCode.Internal, `no camera named ${camera} is configured`, { camera });
    const activityId = this.options.activities.current()?.id;
    return this.track(this.options.capture.capture(url, { camera, activityId }, 'command', this.stopping.signal));
  }

  private follow(activity: PhotoActivity): void {
    if (this.options.photoCamera === undefined) return;
    const durationMs = activity.durationMin === undefined ? undefined : activity.durationMin * MINUTE_MS;
    const terms = { photos: activity.photos, durationMs, intervalMs: this.options.intervalMinutes * MINUTE_MS };
    const done = doneSlots(this.options.journal.db, activity.id, activity.startedSeq);
    this.followed = { activity, terms, done };
    this.check();
  }

  /** One pass: the due slot is taken, slots whose time passed while the agent was down are recorded missed. */
  private check(): void {
    const followed = this.followed;
    if (followed === undefined) return;
    this.guarded(() => {
      const { take, missed } = dueSlots(followed.terms, this.elapsedMs(followed.activity), followed.done);
      for (const slot of missed) this.recordMissed(followed, slot, AGENT_DOWN);
      if (take !== undefined) this.scheduled(followed, take);
    });
  }

  private ended(activityId: string): void {
    const followed = this.followed;
    if (followed?.activity.id !== activityId) return;
    this.followed = undefined;
    this.guarded(() => {
      const end = endSlotAction(followed.terms, this.elapsedMs(followed.activity), followed.done);
      if (end?.action === 'take') this.scheduled(followed, end.slot);
      if (end?.action === 'missed') this.recordMissed(followed, end.slot, AGENT_DOWN);
    });
  }

  /** A journal that cannot be written degrades the photos; it must not end the daemon from a timer. */
  private guarded(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.lastFailure = `meeting photos cannot be recorded: ${(error as Error).message}`;
      this.options.logger.error({ err: error }, 'meeting photos cannot be recorded');
      this.healthChanges.note();
    }
  }

  private scheduled(followed: Followed, slot: number): void {
    const camera = this.options.photoCamera;
    if (camera === undefined) return;
    followed.done.add(slot);
    const owner = { camera: camera.name, activityId: followed.activity.id, slot };
    const photo = this.options.capture.capture(camera.url, owner, 'schedule', this.stopping.signal).then(
      () => this.noteSuccess(),
      (error: unknown) => {
        // A stop cuts the grab short: the slot stays open for the next start's catch-up.
        if (this.stopping.signal.aborted) return;
        this.guarded(() => this.recordMissedOwner(owner, missedReason(error)));
      },
    );
    void this.track(photo);
  }

  private recordMissed(followed: Followed, slot: number, reason: string): void {
    const camera = this.options.photoCamera;
    if (camera === undefined) return;
    followed.done.add(slot);
    this.recordMissedOwner({ camera: camera.name, activityId: followed.activity.id, slot }, reason);
  }

  private recordMissedOwner(owner: PhotoOwner, reason: string): void {
    this.options.journal.transaction((tx) => appendMissed(tx, owner, reason));
    this.options.logger.warn({ ...owner, reason }, 'meeting photo missed');
    if (reason !== AGENT_DOWN) {
      this.lastFailure = `photo ${owner.slot ?? ''} of ${owner.camera} missed: ${reason}`;
      this.healthChanges.note();
    }
  }

  private noteSuccess(): void {
    if (this.lastFailure === undefined) return;
    this.lastFailure = undefined;
    this.healthChanges.note();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work)).catch(() => undefined);
    return work;
  }

  /** Since the activity's planned start: a plan's activity that started late is that much further along. */
  private elapsedMs(activity: PhotoActivity): number {
    const start = { wallMs: activity.startedWallMs, monoMs: activity.startedMonoMs, bootId: activity.startedBootId };
    return elapsedSince(start, this.options.clock.read()).elapsedMs + (activity.lateByMs ?? 0);
  }
}

/**
 * The journal's reason for a photo not taken, in English whatever the daemon's language: a grab's
 * own reason, an upload queue's `detail`, else the error's code.
 */
function missedReason(error: unknown): string {
  if (error instanceof PhotoGrabError) return error.reason;
  if (isAgentError(error)) {
    const detail = error.context.detail;
    return typeof detail === 'string' ? detail : `error ${error.code}`;
  }
  return `internal error: ${(error as Error).message}`;
}
