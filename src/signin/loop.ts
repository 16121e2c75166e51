import { setTimeout as sleep } from 'node:timers/promises';
import type { FingerprintScanner, IdentifyOutcome, ScannerInfo } from '../../drivers/scanner.js';
import type { Feedback } from '../feedback/service.js';
import type { FeedbackSignal } from '../feedback/patterns.js';
import type { Logger } from '../log.js';
import type { IdleResume, IdleWorker, ModuleTrust } from '../scanner/service.js';
import { waitForLift } from './fingerLift.js';
import type { SignInOutcome, SignInRecorder } from './recorder.js';
import type { TouchLine } from './touchLine.js';

export interface SignInLoopDeps {
  recorder: SignInRecorder;
  feedback: Feedback;
  pollIntervalMs: number;
  /** With scanner.wakeGpio: capture only after a touch. */
  touch?: TouchLine | undefined;
  logger: Logger;
  /** A sign-in that could not be recorded: the storage monitor names a full or read-only card. */
  notRecorded?: ((error: unknown) => void) | undefined;
}

const SIGNALS: Record<SignInOutcome['kind'], FeedbackSignal> = {
  accepted: 'accepted',
  already: 'already',
  unknown: 'rejected',
};

/**
 * The idle sign-in loop, run on the module whenever nobody holds it exclusively: wait for a
 * finger, identify, record, then tell the member (only after the record committed), then wait
 * for the finger to leave so that one touch is one sign-in. On a module that is not trusted it
 * identifies nobody: a touch gets the fault signal.
 *
 * The module is lent to enrollment and maintenance in between, so a finger can belong to them:
 * one still on the glass when the loop resumes (the last enrollment scan) is waited out, and an
 * identification that was under way when the module was asked for is discarded (the member was
 * placing the finger for the enrollment about to start).
 */
export class SignInLoop implements IdleWorker {
  constructor(private readonly deps: SignInLoopDeps) {}

  async run(
    scanner: FingerprintScanner,
    _info: ScannerInfo,
    signal: AbortSignal,
    trust: ModuleTrust,
    resume?: IdleResume,
  ): Promise<void> {
    if (resume?.afterFingerUse === true) await waitForLift(scanner, this.deps.pollIntervalMs, signal);
    while (!signal.aborted) {
      await this.waitForTouch(signal);
      if (signal.aborted) break;
      const handled = trust === 'trusted' ? await this.signIn(scanner, signal) : await this.refuse(scanner);
      if (handled) await waitForLift(scanner, this.deps.pollIntervalMs, signal);
    }
  }

  /** One identification and its outcome; false when no finger was there after all (or it was not for us). */
  private async signIn(scanner: FingerprintScanner, signal: AbortSignal): Promise<boolean> {
    const outcome: IdentifyOutcome = await scanner.identify();
    if (signal.aborted) {
      // Nothing about the finger is logged: only that a reading was dropped.
      this.deps.logger.debug(
        { kind: outcome.kind },
        'the module was asked for during an identification; its result is discarded',
      );
      return false;
    }
    switch (outcome.kind) {
      case 'no-finger':
        return false;
      case 'poor-image':
        this.deps.logger.debug({ reason: outcome.reason }, 'poor fingerprint image; asking the member to try again');
        await this.deps.feedback.show('retry', scanner);
        return true;
      case 'no-match':
        await this.record(() => this.deps.recorder.noMatch(), scanner);
        return true;
      case 'match':
        await this.record(() => this.deps.recorder.fingerprint(outcome.slot, outcome.score), scanner);
        return true;
    }
  }

  /**
   * Commits, then tells the member. A record that cannot be written (a full disk) is a fault the
   * member must see; it is not the module's, so the loop goes on.
   */
  private async record(commit: () => SignInOutcome, scanner: FingerprintScanner): Promise<void> {
    let outcome: SignInOutcome;
    try {
      outcome = commit();
    } catch (error) {
      this.deps.logger.error({ err: error }, 'the sign-in could not be recorded');
      this.deps.notRecorded?.(error);
      await this.deps.feedback.show('fault', scanner);
      return;
    }
    // Member ids are roster numbers, not biometric data; nothing about the finger is logged.
    this.deps.logger.info(outcome, `sign-in ${outcome.kind}`);
    await this.deps.feedback.show(SIGNALS[outcome.kind], scanner);
  }

  private async refuse(scanner: FingerprintScanner): Promise<boolean> {
    if (!(await scanner.fingerPresent())) return false;
    this.deps.logger.warn('a finger on a module this device does not trust: sign-in refused');
    await this.deps.feedback.show('fault');
    return true;
  }

  private async waitForTouch(signal: AbortSignal): Promise<void> {
    if (this.deps.touch !== undefined) return this.deps.touch.waitForTouch(signal);
    await sleep(this.deps.pollIntervalMs, undefined, { signal }).catch(() => undefined);
  }
}
