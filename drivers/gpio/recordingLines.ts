import type { GpioLines, InputLine, InputLineOptions, LineValue, OutputLine, OutputLineOptions } from './lines.js';

export interface RecordedWrite {
  readonly value: LineValue;
  /** From the injected monotonic clock (performance.now() by default), in ms. */
  readonly at: number;
}

export class RecordingOutputLine implements OutputLine {
  readonly writes: RecordedWrite[] = [];
  closed = false;

  constructor(
    readonly bcm: number,
    readonly options: OutputLineOptions,
    private readonly now: () => number,
  ) {}

  write(value: LineValue): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`GPIO ${this.bcm} is closed`));
    this.writes.push({ value, at: this.now() });
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
  }

  /** The level last written, 0 before any write. */
  get value(): LineValue {
    return this.writes.at(-1)?.value ?? 0;
  }
}

export class RecordingInputLine implements InputLine {
  closed = false;
  private readonly listeners: ((value: LineValue) => void)[] = [];

  constructor(
    readonly bcm: number,
    readonly options: InputLineOptions,
  ) {}

  watch(listener: (value: LineValue) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.closed = true;
    this.listeners.length = 0;
  }

  /** Simulates an edge, e.g. a button press (1) and release (0). */
  change(value: LineValue): void {
    for (const listener of this.listeners) listener(value);
  }
}

/**
 * GpioLines that only record, for tests and for checking what feedback did when and in what
 * order (e.g. that the first pin write comes after the journal commit).
 */
export class RecordingGpioLines implements GpioLines {
  readonly outputs = new Map<number, RecordingOutputLine>();
  readonly inputs = new Map<number, RecordingInputLine>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  output(bcm: number, options: OutputLineOptions = {}): RecordingOutputLine {
    const line = new RecordingOutputLine(bcm, options, this.now);
    this.outputs.set(bcm, line);
    return line;
  }

  input(bcm: number, options: InputLineOptions = {}): RecordingInputLine {
    const line = new RecordingInputLine(bcm, options);
    this.inputs.set(bcm, line);
    return line;
  }
}
