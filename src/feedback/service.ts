import type { FingerprintScanner } from '../../drivers/scanner.js';
import type { Config } from '../config/schema.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import type { Logger } from '../log.js';
import { openSocGpio, type GpioAccess } from './gpioAccess.js';
import { GpioPlayer, type PulseWait } from './gpioPlayer.js';
import { MODULE_SIGNALS, type FeedbackSignal } from './patterns.js';

export interface Feedback {
  /**
   * Tells the member the outcome. With GPIO the first pin write is issued before this returns and
   * the pattern plays on by itself; without, the module's own light (through `scanner`, which the
   * caller holds) and the log. Resolves once `scanner` is free again; never rejects.
   */
  show(signal: FeedbackSignal, scanner?: FingerprintScanner): Promise<void>;
}

export interface FeedbackServiceDeps {
  config: Config['feedback'];
  logger: Logger;
  /** Injectable for tests (RecordingGpioLines); default: the Raspberry Pi header. */
  gpio?: GpioAccess | undefined;
  /** Injectable for tests (a virtual clock, so a pattern's timings are exact); default: real timers. */
  wait?: PulseWait | undefined;
}

/**
 * Light and sound for sign-in results: green/red LEDs and a buzzer over GPIO on a Raspberry Pi; on
 * a machine without GPIO (a PC) the module's light and the log, with one warning saying so.
 */
export class FeedbackService implements Service, Feedback {
  readonly name = 'feedback';
  private player: GpioPlayer | undefined;
  private fallbackReason: string | undefined;

  constructor(private readonly deps: FeedbackServiceDeps) {}

  async start(): Promise<void> {
    const { config, logger } = this.deps;
    const pins = { greenLed: config.greenLed, redLed: config.redLed, buzzer: config.buzzer };
    const wired = Object.values(pins).some((pin) => pin !== undefined);
    const gpio: GpioAccess = !config.gpio
      ? { available: false, reason: 'feedback.gpio is false' }
      : !wired
        ? { available: false, reason: 'none of feedback.greenLed, feedback.redLed, feedback.buzzer is set' }
        : (this.deps.gpio ?? (await openSocGpio(logger)));
    if (gpio.available) {
      this.player = new GpioPlayer(gpio.lines, pins, logger, this.deps.wait);
      this.fallbackReason = undefined;
      return;
    }
    this.fallbackReason = gpio.reason;
    logger.warn(
      { reason: gpio.reason },
      "no GPIO feedback: members see the fingerprint module's own light (where it has one) and results go to the log",
    );
  }

  stop(): void {
    this.player?.close();
    this.player = undefined;
  }

  health(): ServiceHealth {
    return {
      state: 'ok',
      detail: this.player === undefined ? `module light and log (${this.fallbackReason ?? 'not started'})` : 'GPIO',
    };
  }

  async show(signal: FeedbackSignal, scanner?: FingerprintScanner): Promise<void> {
    if (this.player !== undefined) {
      void this.player.play(signal);
      return;
    }
    this.deps.logger.info({ signal }, `sign-in feedback: ${signal}`);
    const moduleSignal = MODULE_SIGNALS[signal];
    if (scanner === undefined || moduleSignal === undefined) return;
    await scanner
      .indicate(moduleSignal)
      .catch((error: unknown) =>
        this.deps.logger.debug({ err: error, signal }, 'the module could not show the feedback'),
      );
  }
}
