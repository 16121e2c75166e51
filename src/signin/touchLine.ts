import type { InputLine } from '../../drivers/gpio/lines.js';

/**
 * The R503's touch output (scanner.wakeGpio), read active-low so that 1 means a finger touches the
 * sensor: the loop captures only after a touch instead of polling. A touch that came while the loop was busy is
 * kept, and the loop also looks once every `safetyMs` in case an edge was lost.
 */
export class TouchLine {
  private touched = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly line: InputLine,
    private readonly safetyMs: number,
  ) {
    line.watch((value) => {
      if (value !== 1) return;
      this.touched = true;
      this.wake?.();
    });
  }

  /** Resolves at a touch (or one that came since the last call), after safetyMs, or on abort. */
  waitForTouch(signal: AbortSignal): Promise<void> {
    if (this.touched || signal.aborted) {
      this.touched = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        this.touched = false;
        resolve();
      };
      const timer = setTimeout(done, this.safetyMs);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  close(): void {
    this.wake?.();
    this.line.close();
  }
}
