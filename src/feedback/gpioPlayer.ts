import { setTimeout as sleep } from 'node:timers/promises';
import type { GpioLines, OutputLine } from '../../drivers/gpio/lines.js';
import type { Logger } from '../log.js';
import { PATTERNS, type FeedbackSignal, type Pulse } from './patterns.js';

export interface FeedbackPins {
  greenLed?: number | undefined;
  redLed?: number | undefined;
  buzzer?: number | undefined;
}

/** Waits `ms`, rejecting once `signal` aborts: how a pattern holds a line on or off. */
export type PulseWait = (ms: number, signal: AbortSignal) => Promise<void>;

const realWait: PulseWait = (ms, signal) => sleep(ms, undefined, { signal });

/**
 * Plays feedback patterns on the LEDs and the buzzer. A new pattern cuts the one playing short
 * (the next member should not wait for the last one's beeps), and every line ends switched off.
 */
export class GpioPlayer {
  private readonly green: OutputLine | undefined;
  private readonly red: OutputLine | undefined;
  private readonly buzzer: OutputLine | undefined;
  private playing = new AbortController();

  constructor(
    lines: GpioLines,
    pins: FeedbackPins,
    private readonly logger: Logger,
    private readonly wait: PulseWait = realWait,
  ) {
    this.green = pins.greenLed === undefined ? undefined : lines.output(pins.greenLed);
    this.red = pins.redLed === undefined ? undefined : lines.output(pins.redLed);
    this.buzzer = pins.buzzer === undefined ? undefined : lines.output(pins.buzzer);
  }

  /** The first pin write is issued before this returns; the promise settles when the pattern has played. */
  play(signal: FeedbackSignal): Promise<void> {
    this.playing.abort();
    const playing = new AbortController();
    this.playing = playing;
    const pattern = PATTERNS[signal];
    const led = pattern.led === 'green' ? this.green : this.red;
    const other = pattern.led === 'green' ? this.red : this.green;
    other?.write(0).catch((error: unknown) => this.failed(error));
    return Promise.all([
      this.pulse(led, pattern.light, playing.signal),
      this.pulse(this.buzzer, pattern.beeps, playing.signal),
    ]).then(() => undefined);
  }

  close(): void {
    this.playing.abort();
    for (const line of [this.green, this.red, this.buzzer]) line?.close();
  }

  private async pulse(line: OutputLine | undefined, pulses: readonly Pulse[], signal: AbortSignal): Promise<void> {
    if (line === undefined) return;
    try {
      for (const { onMs, offMs } of pulses) {
        await line.write(1);
        await this.wait(onMs, signal);
        await line.write(0);
        if (offMs > 0) await this.wait(offMs, signal);
      }
    } catch (error) {
      // Cut short by the next pattern: it drives this line itself, or play() switched it off.
      if (!signal.aborted) this.failed(error);
    }
  }

  private failed(error: unknown): void {
    this.logger.warn({ err: error }, 'writing a feedback GPIO line failed');
  }
}
