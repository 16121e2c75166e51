/**
 * One operation at a time, in arrival order. Protocol drivers wrap each command/response exchange
 * in run() so two callers never interleave bytes on one wire or steal each other's replies.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The next caller waits for this one to settle either way: a failed command must not wedge the
    // queue, and its rejection belongs to its own caller, not to whoever runs next.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
