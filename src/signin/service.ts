import type { Config } from '../config/schema.js';
import type { EventBus } from '../daemon/bus.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import { openSocGpio, type GpioAccess } from '../feedback/gpioAccess.js';
import type { Feedback } from '../feedback/service.js';
import type { Logger } from '../log.js';
import type { ScannerService, ScannerState } from '../scanner/service.js';
import { SignInLoop } from './loop.js';
import type { SignInRecorder } from './recorder.js';
import { TouchLine } from './touchLine.js';

export interface SignInServiceDeps {
  config: Config['scanner'];
  scanner: ScannerService;
  recorder: SignInRecorder;
  feedback: Feedback;
  bus: EventBus;
  logger: Logger;
  /** Injectable for tests; default: the Raspberry Pi header when scanner.wakeGpio is set. */
  gpio?: GpioAccess | undefined;
}

/** A touch line edge may be lost (a bounce, a busy moment): look anyway this often. */
const TOUCH_SAFETY_MS = 5_000;
const FAULT_STATES: ReadonlySet<ScannerState> = new Set(['disconnected', 'refused']);

/**
 * Fingerprint sign-in: lends the scanner service its idle loop, takes member numbers from a
 * keyboard-wedge reader, and gives the fault signal when the scanner is lost or refused.
 */
export class SignInService implements Service {
  readonly name = 'signin';
  private touch: TouchLine | undefined;
  private lastState: ScannerState | undefined;

  constructor(private readonly deps: SignInServiceDeps) {}

  async start(): Promise<void> {
    const { config, scanner, bus, logger } = this.deps;
    this.touch = await this.openTouchLine();
    const loop = new SignInLoop({
      recorder: this.deps.recorder,
      feedback: this.deps.feedback,
      pollIntervalMs: config.pollIntervalMs,
      touch: this.touch,
      logger,
      notRecorded: (error) => bus.emit('storage.writeFailed', { error, what: 'sign-in' }),
    });
    scanner.setIdleWorker(loop);
    scanner.onCard((memberNumber) => void this.card(memberNumber));
    this.lastState = scanner.state();
    bus.on(this.name, 'scanner.state', ({ state }) => {
      // Once per fall from grace, not at every failed reconnect.
      if (FAULT_STATES.has(state) && !FAULT_STATES.has(this.lastState ?? 'connecting'))
        void this.deps.feedback.show('fault');
      this.lastState = state;
    });
  }

  stop(): void {
    this.deps.scanner.setIdleWorker(undefined);
    this.deps.scanner.onCard(undefined);
    this.deps.bus.removeOwner(this.name);
    this.touch?.close();
    this.touch = undefined;
  }

  health(): ServiceHealth {
    return { state: 'ok', detail: this.activity() };
  }

  /** Without a fingerprint module the loop never runs, so polling would be a false claim. */
  private activity(): string {
    if (this.deps.config.driver === 'none') return 'manual sign-in only (scanner.driver none)';
    return this.touch === undefined ? `polling every ${this.deps.config.pollIntervalMs} ms` : 'waiting for touches';
  }

  private async card(memberNumber: string): Promise<void> {
    try {
      const outcome = this.deps.recorder.card(memberNumber);
      this.deps.logger.info(outcome, `card sign-in ${outcome.kind}`);
      await this.deps.feedback.show(outcome.kind === 'unknown' ? 'rejected' : outcome.kind);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'the card sign-in could not be recorded');
      this.deps.bus.emit('storage.writeFailed', { error, what: 'card sign-in' });
      await this.deps.feedback.show('fault');
    }
  }

  private async openTouchLine(): Promise<TouchLine | undefined> {
    const bcm = this.deps.config.wakeGpio;
    if (bcm === undefined) return undefined;
    const gpio = this.deps.gpio ?? (await openSocGpio(this.deps.logger));
    if (!gpio.available) {
      this.deps.logger.warn(
        { reason: gpio.reason },
        'scanner.wakeGpio is set but there is no GPIO: polling for fingers instead',
      );
      return undefined;
    }
    // The module pulls the line low while a finger touches (drivers/r30x/README.md): active-low.
    return new TouchLine(gpio.lines.input(bcm, { activeLow: true }), TOUCH_SAFETY_MS);
  }
}
