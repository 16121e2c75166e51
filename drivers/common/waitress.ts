import { DriverError, DriverErrorCode } from './errors.js';
import { nextPollPhase, type DeliverPending } from './transport.js';

interface Waiter<F> {
  readonly matcher: (frame: F) => boolean;
  readonly resolve: (frame: F) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Matches frames arriving from a device to the requests waiting for them. A protocol driver
 * registers a waiter before writing a command (so a fast reply cannot slip past) and feeds every
 * parsed frame to resolve(); unmatched frames are the caller's to log or drop.
 *
 * A reply that reached the host never loses to its own timeout. Timers run before I/O in each turn
 * of the event loop, so after the main thread was busy for longer than a timeout (loading a large
 * module at start-up, on a slow board) the timer would fire while the reply, there for a second
 * already, still waits to be read. So an expired waiter first lets the transport deliver what it
 * holds (`deliverPending`) and times out only if that brought no answer.
 */
export class Waitress<F> {
  private waiters: Waiter<F>[] = [];

  constructor(private readonly deliverPending: DeliverPending = nextPollPhase) {}

  waitFor(
    matcher: (frame: F) => boolean,
    timeoutMs: number,
    description: string,
  ): { promise: Promise<F>; cancel(): void } {
    let waiter!: Waiter<F>;
    const promise = new Promise<F>((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.expire(waiter, () =>
          reject(
            new DriverError(DriverErrorCode.Timeout, `no ${description} within ${timeoutMs} ms`, {
              awaited: description,
              timeoutMs,
            }),
          ),
        );
      }, timeoutMs);
      waiter = { matcher, resolve, reject, timer };
    });
    this.waiters.push(waiter);
    return {
      promise,
      // A cancelled waiter simply stops listening; its promise stays pending so nobody sees a
      // spurious rejection for a request the caller abandoned on purpose.
      cancel: () => {
        clearTimeout(waiter.timer);
        this.remove(waiter);
      },
    };
  }

  /** Hands a frame to the first (oldest) matching waiter; false if none matched. */
  resolve(frame: F): boolean {
    const waiter = this.waiters.find((candidate) => matchesSafely(candidate, frame));
    if (waiter === undefined) return false;
    clearTimeout(waiter.timer);
    this.remove(waiter);
    waiter.resolve(frame);
    return true;
  }

  /** Fails every pending waiter, e.g. when the transport disconnects. */
  rejectAll(error: Error): void {
    const pending = this.waiters;
    this.waiters = [];
    for (const waiter of pending) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  /** Times a waiter out unless the input already received answers it (or it was cancelled meanwhile). */
  private async expire(waiter: Waiter<F>, timeOut: () => void): Promise<void> {
    try {
      await this.deliverPending();
    } catch {
      // A transport that cannot say what it holds has nothing more to deliver: the timeout stands.
    }
    if (!this.waiters.includes(waiter)) return;
    this.remove(waiter);
    timeOut();
  }

  private remove(waiter: Waiter<F>): void {
    this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
  }
}

/** A matcher that throws on an odd frame must not take the data path down with it. */
function matchesSafely<F>(waiter: Waiter<F>, frame: F): boolean {
  try {
    return waiter.matcher(frame);
  } catch {
    return false;
  }
}
