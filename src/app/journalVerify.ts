import type { ClockReader } from '../clock/types.js';
import type { EventBus } from '../daemon/bus.js';
import { HealthChanges } from '../daemon/healthChanges.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import {
  readFullVerification,
  runFullVerification,
  type FullVerification,
  type FullVerifyTrigger,
  type Pace,
} from '../journal/backgroundVerify.js';
import type { Journal } from '../journal/journal.js';
import { journalVerification, type JournalVerification } from '../journal/verificationReport.js';
import type { Logger } from '../log.js';
import type { PreviousStop } from './stopMarker.js';

/** A full verification runs when the last one is this old (by the device clock), and this long after each. */
export const FULL_VERIFY_INTERVAL_MS = 86_400_000;

export interface JournalVerifyOptions {
  journal: Journal;
  clock: ClockReader;
  bus?: EventBus | undefined;
  logger: Logger;
  /** How the daemon before this start ended (stopMarker.ts). */
  previousStop: PreviousStop;
  pace?: Pace | undefined;
}

/** What makes a start verify the whole chain at once, whatever the age of the last full verification. */
const START_TRIGGERS: Partial<Record<PreviousStop, FullVerifyTrigger>> = {
  unclean: 'unclean-stop',
  changed: 'changed-while-stopped',
};

/**
 * Verifies the whole journal in the background, paced (backgroundVerify.ts): right after a start
 * that follows an unclean stop or a journal changed while no daemon ran, when the last full
 * verification is a day old or there was none, and then daily. The check at open only covers what
 * was appended since the last verified seq; this walk is what catches an old entry changed.
 */
export class JournalVerifyService implements Service {
  readonly name = 'journal-verify';
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private last: FullVerification | undefined;
  private current: { trigger: FullVerifyTrigger; startedWallMs: number; checkedTo: number } | undefined;
  private abort: AbortController | undefined;
  private walking: Promise<void> | undefined;
  private lastError: string | undefined;
  private readonly healthChanges: HealthChanges;

  constructor(private readonly options: JournalVerifyOptions) {
    this.healthChanges = new HealthChanges(this, options.bus);
  }

  /** Plans the first walk; it never runs inside start(), so it never delays READY=1. */
  start(): void {
    this.started = true;
    this.last = readFullVerification(this.options.journal.db);
    const atStart = START_TRIGGERS[this.options.previousStop];
    if (atStart !== undefined) {
      this.options.logger.info(
        { previousStop: this.options.previousStop },
        'verifying the whole journal after this start',
      );
      this.plan(0, atStart);
      return;
    }
    const nowMs = this.options.clock.read().wallMs;
    const last = this.last;
    // A wall clock behind the last verification (a board without a real-time clock) cannot tell its age.
    const fresh =
      last !== undefined && nowMs >= last.startedWallMs && nowMs - last.finishedWallMs < FULL_VERIFY_INTERVAL_MS;
    this.plan(fresh ? last.finishedWallMs + FULL_VERIFY_INTERVAL_MS - nowMs : 0, 'daily');
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    await this.walking;
  }

  health(): ServiceHealth {
    if (!this.started) return { state: 'stopped' };
    if (this.lastError !== undefined) return { state: 'degraded', detail: this.lastError };
    const result = this.last?.result;
    if (result?.ok === false)
      return { state: 'degraded', detail: `journal chain broken at seq ${result.firstBrokenSeq}: ${result.reason}` };
    return { state: 'ok' };
  }

  /** What was verified and when, for status and the health message. */
  verification(): JournalVerification {
    return journalVerification(this.options.journal, this.current === undefined ? null : { ...this.current });
  }

  private plan(delayMs: number, trigger: FullVerifyTrigger): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.walking = this.walk(trigger);
    }, delayMs);
  }

  private async walk(trigger: FullVerifyTrigger): Promise<void> {
    const { journal, clock, bus, logger, pace } = this.options;
    const abort = new AbortController();
    this.abort = abort;
    const current = { trigger, startedWallMs: clock.read().wallMs, checkedTo: 0 };
    this.current = current;
    try {
      const record = await runFullVerification({
        ...pace,
        db: journal.db,
        clock,
        logger,
        bus,
        trigger,
        signal: abort.signal,
        onSlice: (checkedTo) => (current.checkedTo = checkedTo),
      });
      if (record !== undefined) this.last = record;
      this.lastError = undefined;
    } catch (error) {
      // A journal that cannot be read now (a disk fault) is retried at the next interval, not fatal.
      this.lastError = `full journal verification failed to run: ${(error as Error).message}`;
      logger.error({ err: error }, 'the full journal verification could not run; retrying at the next interval');
    } finally {
      this.current = undefined;
      this.abort = undefined;
      this.healthChanges.note();
      if (this.started) this.plan(FULL_VERIFY_INTERVAL_MS, 'daily');
    }
  }
}
