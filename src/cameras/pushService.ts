import type { EventBus } from '../daemon/bus.js';
import { HealthChanges } from '../daemon/healthChanges.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import type { Logger } from '../log.js';
import type { RandomSource } from '../util/backoff.js';
import type { CameraControl } from './control.js';
import type { PhotoTaker } from './photos.js';
import { cameraAdvice } from './messages.js';
import { applyPushEvent, initialPushState, pushWish, type PushEvent, type PushPolicyState } from './pushPolicy.js';
import type { PushCamera } from './pushTools.js';
import { CameraStateJournal, type CameraStateEntry } from './stateJournal.js';
import { MediaSupervisor, type MediaTools } from './supervisor.js';
import type { CameraReport, CameraState } from './types.js';

const text = defineMessages({
  noPush: {
    zh: '摄像头 {camera} 没有配置推流（push），无法开始或停止推流',
    en: 'camera {camera} has no push configured: its stream cannot be started or stopped',
  },
});

/** A camera without a `push` section was asked to start or stop its push. */
export class CameraNoPushError extends AgentError {
  constructor(camera: string) {
    super(ErrorCode.CameraNoPush, text('noPush', { camera }), { camera });
  }
}

/** The journal's `camera.state` entries: a start's three and a first failure at once, then one a minute per camera. */
const STATE_BURST = 4;
const STATE_REFILL_MS = 60_000;
/** A `camera.stream` reply waits this long at most for the push to reach the state it reports. */
const REPLY_WAIT_MS = 15_000;

const BUS_OWNER = 'camera-push';

export interface PushServiceOptions {
  cameras: readonly PushCamera[];
  tools(camera: PushCamera): MediaTools;
  /** Ends the ffmpeg processes an earlier agent left behind (it was killed where they could outlive it). */
  endLeftovers(): Promise<unknown>;
  /** Whether an activity runs now (an agent restarted during one pushes it at once). */
  activityRunning(): boolean;
  appendJournal(type: 'camera.state', payload: CameraStateEntry): void;
  bus: EventBus;
  logger: Logger;
  /** Monotonic milliseconds; performance.now() unless a test says. */
  now?: (() => number) | undefined;
  random?: RandomSource | undefined;
}

interface Pushed {
  camera: PushCamera;
  policy: PushPolicyState;
  supervisor: MediaSupervisor;
  /** Called at every state change of the camera. */
  watchers: Set<() => void>;
}

/**
 * Every camera's live push, one supervisor each, following activities and the center's
 * `camera.stream` commands through the push policy; reports the cameras to health and status
 * and journals their state changes, rate-limited.
 */
export class PushService implements Service {
  readonly name = 'cameras';
  private readonly pushed = new Map<string, Pushed>();
  private readonly stateJournal: CameraStateJournal;
  private readonly healthChanges: HealthChanges;
  private readonly now: () => number;
  private running = false;

  constructor(private readonly options: PushServiceOptions) {
    this.now = options.now ?? (() => performance.now());
    this.healthChanges = new HealthChanges(this, options.bus);
    this.stateJournal = new CameraStateJournal({
      append: (entry) => options.appendJournal('camera.state', entry),
      now: this.now,
      burst: STATE_BURST,
      refillMs: STATE_REFILL_MS,
    });
  }

  async start(): Promise<void> {
    const { options } = this;
    const ended = await options.endLeftovers();
    options.logger.info({ ended }, 'ffmpeg processes of an earlier agent ended');
    const inActivity = options.activityRunning();
    for (const camera of options.cameras) {
      const entry: Pushed = {
        camera,
        policy: initialPushState(camera.mode, inActivity),
        watchers: new Set(),
        supervisor: new MediaSupervisor({
          target: camera,
          tools: options.tools(camera),
          wish: () => pushWish(entry.policy, this.now()),
          onChange: () => this.changed(entry),
          now: this.now,
          random: options.random ?? Math.random,
          logger: options.logger,
        }),
      };
      this.pushed.set(camera.name, entry);
    }
    options.bus.on(BUS_OWNER, 'activity.started', () => this.apply({ kind: 'activity-started' }));
    options.bus.on(BUS_OWNER, 'activity.ended', () => this.apply({ kind: 'activity-ended' }));
    this.running = true;
    for (const { supervisor } of this.pushed.values()) supervisor.start();
    this.healthChanges.note();
  }

  async stop(): Promise<void> {
    this.options.bus.removeOwner(BUS_OWNER);
    await Promise.all([...this.pushed.values()].map(({ supervisor }) => supervisor.stop()));
    this.running = false;
    this.stateJournal.flush();
    this.pushed.clear();
  }

  /** Degraded while a camera cannot be pushed (failed, or backing off with a problem); the detail names them. */
  health(): ServiceHealth {
    if (!this.running) return { state: 'stopped' };
    const troubled = this.cameras().filter(
      (report) => report.problem !== undefined && (report.state === 'failed' || report.state === 'backoff'),
    );
    if (troubled.length === 0) return { state: 'ok' };
    return {
      state: 'degraded',
      detail: troubled.map((report) => `${report.name}: ${report.state} (${report.problem})`).join(', '),
    };
  }

  /** Every pushed camera's report, the detail in English (health goes to the county). */
  cameras(): CameraReport[] {
    return [...this.pushed.values()].map(({ supervisor }) => {
      const report = supervisor.report();
      return report.problem === undefined ? report : { ...report, detail: cameraAdvice(report.problem, 'en') };
    });
  }

  /**
   * What the live pushes send in all, kbit/s, as their ffmpeg last reported it; undefined when no
   * push is live. A push live for less than ffmpeg's first report counts 0 until then.
   */
  liveBitrateKbps(): number | undefined {
    const live = [...this.pushed.values()]
      .map(({ supervisor }) => supervisor.report())
      .filter((report) => report.state === 'live');
    if (live.length === 0) return undefined;
    return live.reduce((sum, report) => sum + (report.bitrateKbps ?? 0), 0);
  }

  /** CameraControl for the center's commands: the push here, photos from `photos`. */
  control(photos: PhotoTaker): CameraControl {
    return {
      stream: (camera, on) => this.stream(camera, on),
      photo: (camera) => photos.take(camera),
    };
  }

  /** Starts or stops a camera's push; the reply says the state it reached (or reached within REPLY_WAIT_MS). */
  async stream(name: string, on: boolean): Promise<{ camera: string; state: CameraState; problem?: string }> {
    const entry = this.pushed.get(name);
    if (entry === undefined) throw new CameraNoPushError(name);
    const event: PushEvent = on ? { kind: 'start-command', nowMs: this.now() } : { kind: 'stop-command' };
    entry.policy = applyPushEvent(entry.policy, event, entry.camera.onDemandMinutes);
    // A failed camera is tried again at once: the reply waits for that attempt's outcome.
    const retrying = on && entry.supervisor.report().state === 'failed';
    if (retrying) entry.supervisor.retryFailed();
    const settled: ReadonlySet<CameraState> = on ? new Set(['live', 'failed', 'backoff']) : new Set(['stopped']);
    await this.until(entry, (state) => settled.has(state), !retrying);
    const { state, problem } = entry.supervisor.report();
    return problem === undefined ? { camera: name, state } : { camera: name, state, problem };
  }

  private apply(event: PushEvent): void {
    for (const entry of this.pushed.values()) {
      entry.policy = applyPushEvent(entry.policy, event, entry.camera.onDemandMinutes);
      entry.supervisor.poke();
    }
  }

  /** Resolves once the camera's state passes `done` (now, unless `checkNow` is false, or after a change), or after REPLY_WAIT_MS. */
  private until(entry: Pushed, done: (state: CameraState) => boolean, checkNow: boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!done(entry.supervisor.report().state)) return;
        finish();
      };
      const finish = (): void => {
        clearTimeout(timer);
        entry.watchers.delete(check);
        resolve();
      };
      const timer = setTimeout(finish, REPLY_WAIT_MS);
      entry.watchers.add(check);
      entry.supervisor.poke();
      if (checkNow) check();
    });
  }

  private changed(entry: Pushed): void {
    const report = entry.supervisor.report();
    this.options.logger.info(
      { camera: report.name, state: report.state, problem: report.problem, lastError: report.lastError },
      'camera state',
    );
    this.stateJournal.record({
      camera: report.name,
      state: report.state,
      ...(report.problem !== undefined && { problem: report.problem, detail: cameraAdvice(report.problem, 'en') }),
    });
    this.options.bus.emit('camera.state', { camera: report.name, state: report.state });
    this.healthChanges.note();
    for (const watcher of entry.watchers) watcher();
  }
}
