import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { activitySchema } from '../activities/schema.js';
import { callDaemon } from '../control/client.js';
import { enrollPromptSchema } from '../enrollment/methods.js';
import { manualSignInResultSchema } from '../signin/methods.js';
import { demoText } from './messages.js';
import {
  DEMO_FINGER,
  memberName,
  ROSTER,
  ROUND,
  ROUND_SECONDS,
  SETUP,
  SETUP_SECONDS,
  VISITOR,
  type StepAction,
  type StoryStep,
} from './script.js';

/** What the story acts on: the running daemon (through its control socket, as the CLI does) and the room's link. */
export interface StoryDeps {
  socketPath: string;
  link: { cut(): void; restore(): void };
  /** One JSON line per step goes here, for whoever wants to check what the story did when. */
  logFile: string;
}

/** One line of the story as the terminal view shows it. */
export interface StoryLine {
  wallMs: number;
  text: string;
}

/** The technician the journal names for what the story changes. */
const OPERATOR = '演示技术员';
/** A finger rests this long on the sensor: long enough for a capture and a search at the demo's poll interval. */
const FINGER_HOLD_MS = 2_500;
const ENROLL_TIMEOUT_MS = 60_000;
/** The agent ends a plan's activity within a second or two of its planned end. */
const ACTIVITY_END_WAIT_MS = 10_000;
/** How many lines the story keeps for the view. */
const KEPT_LINES = 6;

/**
 * Plays the script against the running daemon until stopped: the setup once, then rounds. A step
 * that fails is told in the story and the story goes on: the demo shows the agent, it does not
 * stop at the first surprise.
 */
export class Story {
  private readonly abort = new AbortController();
  private readonly kept: StoryLine[] = [];
  private roundNumber = 0;

  constructor(private readonly deps: StoryDeps) {}

  get round(): number {
    return this.roundNumber;
  }

  /** The latest lines, oldest first. */
  lines(): readonly StoryLine[] {
    return this.kept;
  }

  start(): void {
    void this.play().catch((error: unknown) => {
      if (!this.abort.signal.aborted) this.tell('failed', demoText('storyFailed', { reason: String(error) }));
    });
  }

  /**
   * Stops between steps or in the middle of one, at once: a daemon request in flight is not
   * waited for (it fails when the agent stops, and the story has stopped listening by then).
   */
  stop(): void {
    this.abort.abort();
  }

  private async play(): Promise<void> {
    await this.part(SETUP, SETUP_SECONDS);
    for (;;) {
      this.roundNumber += 1;
      this.tell('round', demoText('roundStarts', { round: this.roundNumber }));
      await this.part(ROUND, ROUND_SECONDS);
    }
  }

  private async part(steps: readonly StoryStep[], seconds: number): Promise<void> {
    const startMs = Date.now();
    for (const step of steps) {
      await this.waitUntil(startMs + step.at * 1000);
      try {
        await this.act(step.action);
      } catch (error) {
        if (this.abort.signal.aborted) throw error;
        this.tell('failed', demoText('stepFailed', { reason: (error as Error).message }));
      }
    }
    await this.waitUntil(startMs + seconds * 1000);
  }

  private async waitUntil(ms: number): Promise<void> {
    await sleep(Math.max(0, ms - Date.now()), undefined, { signal: this.abort.signal });
  }

  private async act(action: StepAction): Promise<void> {
    switch (action.kind) {
      case 'roster':
        for (const member of ROSTER) await this.call('members.add', { member, operator: OPERATOR });
        this.tell('roster', demoText('roster', { count: ROSTER.length, names: ROSTER.map((m) => m.name).join('、') }));
        return;
      case 'enroll':
        return this.enroll(action.memberId);
      case 'plan': {
        const startsAt = new Date(Date.now() + action.startsInSeconds * 1000);
        const plan = {
          id: `demo-${startsAt.getTime()}`,
          type: 'theme-party-day',
          title: demoText('activityTitle', { round: this.roundNumber }),
          startsAt: startsAt.toISOString(),
          durationMin: action.durationMin,
          photos: 3,
        };
        await this.call('plan.add', { plan });
        this.tell('plan', demoText('planAdded', { seconds: action.startsInSeconds, title: plan.title }));
        return;
      }
      case 'finger':
        this.tell(
          'finger',
          action.memberId === VISITOR
            ? demoText('visitorFinger')
            : demoText(action.expect === 'already' ? 'fingerAgain' : 'finger', { name: memberName(action.memberId) }),
          { memberId: action.memberId },
        );
        await this.call('emulator.place', { finger: fingerOf(action.memberId) });
        await sleep(FINGER_HOLD_MS, undefined, { signal: this.abort.signal });
        await this.call('emulator.lift', {});
        return;
      case 'manual': {
        const result = manualSignInResultSchema.parse(
          await this.call('signin.manual', {
            memberId: action.memberId,
            confirmedBy: action.confirmedBy,
            operator: OPERATOR,
          }),
        );
        this.tell(
          'manual',
          demoText('manual', { name: memberName(action.memberId), secretary: memberName(action.confirmedBy) }),
          { memberId: action.memberId, seq: result.seq },
        );
        return;
      }
      case 'cut':
        this.deps.link.cut();
        this.tell('cut', demoText('cut', { seconds: action.seconds }));
        return;
      case 'restore':
        this.deps.link.restore();
        this.tell('restore', demoText('restore'));
        return;
      case 'end':
        await this.activityOver();
        this.tell('end', demoText('activityEnded'));
        return;
    }
  }

  /** Guided enrollment, acting as the member: places the finger when told, lifts it when told. */
  private async enroll(memberId: string): Promise<void> {
    this.tell('enroll', demoText('enrolling', { name: memberName(memberId) }), { memberId });
    let acting = Promise.resolve();
    const onProgress = (progress: unknown): void => {
      const prompt = enrollPromptSchema.safeParse(progress);
      if (!prompt.success) return;
      if (prompt.data.step === 'place')
        acting = acting.then(() => this.call('emulator.place', { finger: fingerOf(memberId) }).then(() => undefined));
      else if (prompt.data.step === 'lift')
        acting = acting.then(() => this.call('emulator.lift', {}).then(() => undefined));
    };
    try {
      await callDaemon(
        this.deps.socketPath,
        'enroll',
        { memberId, finger: DEMO_FINGER, operator: OPERATOR, consent: true },
        { timeoutMs: ENROLL_TIMEOUT_MS, onProgress },
      );
    } finally {
      await acting.catch(() => undefined);
      await this.call('emulator.lift', {}).catch(() => undefined);
    }
    this.tell('enrolled', demoText('enrolled', { name: memberName(memberId) }), { memberId });
  }

  /** Until the agent has ended the plan's activity (its scheduler checks every second). */
  private async activityOver(): Promise<void> {
    const until = Date.now() + ACTIVITY_END_WAIT_MS;
    while (activitySchema.nullable().parse(await this.call('activity.current', {})) !== null) {
      if (Date.now() > until) throw new Error(demoText('activityStillRunning'));
      await sleep(250, undefined, { signal: this.abort.signal });
    }
  }

  private call(method: string, params: unknown): Promise<unknown> {
    return callDaemon(this.deps.socketPath, method, params);
  }

  private tell(step: string, text: string, extra: Record<string, unknown> = {}): void {
    // A request that was in flight at the stop may still answer: the story is over by then.
    if (this.abort.signal.aborted) return;
    const wallMs = Date.now();
    this.kept.push({ wallMs, text });
    if (this.kept.length > KEPT_LINES) this.kept.shift();
    appendFileSync(this.deps.logFile, `${JSON.stringify({ wallMs, round: this.roundNumber, step, ...extra, text })}\n`);
  }
}

/** The emulator's synthetic finger of a member (each member's is distinct and stable). */
function fingerOf(memberId: string): string {
  return `${memberId}-${DEMO_FINGER}`;
}
