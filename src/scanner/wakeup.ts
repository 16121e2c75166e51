/**
 * Wakes a loop that waits for "something changed" (a request queued, a stop). Take the promise
 * with next() before checking the conditions: a notify() after that point is never missed.
 */
export class Wakeup {
  private readonly waiters = new Set<() => void>();

  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves after `ms`, or earlier at the next notify(). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }
}
