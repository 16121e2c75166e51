/**
 * GPIO lines as the feedback and enrollment code sees them, addressed by BCM number. Behind this:
 * onoff on a Raspberry Pi (onoffLines.ts) or a recording fake (recordingLines.ts) in tests.
 */
export type LineValue = 0 | 1;

export interface OutputLine {
  readonly bcm: number;
  /** 1 = active (LED lit, buzzer sounding), honouring activeLow. */
  write(value: LineValue): Promise<void>;
  /** Drives the line inactive and releases it. Idempotent. */
  close(): void;
}

export interface InputLine {
  readonly bcm: number;
  /** Called with the new value on every (debounced) edge; 1 = active, honouring activeLow. */
  watch(listener: (value: LineValue) => void): void;
  /** Stops watching and releases the line. Idempotent. */
  close(): void;
}

export interface OutputLineOptions {
  /** The line is active when driven low (e.g. a buzzer module that sounds on 0). */
  readonly activeLow?: boolean;
}

export interface InputLineOptions {
  /** Active when low: a button to ground with a pull-up. */
  readonly activeLow?: boolean;
  /** Ignore bounces shorter than this; default 20 ms. */
  readonly debounceMs?: number;
}

export interface GpioLines {
  output(bcm: number, options?: OutputLineOptions): OutputLine;
  input(bcm: number, options?: InputLineOptions): InputLine;
}
