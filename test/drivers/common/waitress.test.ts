import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DriverErrorCode, isDriverError } from '../../../drivers/common/errors.js';
import { Waitress } from '../../../drivers/common/waitress.js';

interface Frame {
  readonly command: number;
  readonly seq: number;
}

describe('Waitress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('hands a frame to the matching waiter and reports whether one matched', async () => {
    const waitress = new Waitress<Frame>();
    const ack = waitress.waitFor((frame) => frame.command === 0x30, 1000, 'Search ack');
    expect(waitress.resolve({ command: 0x01, seq: 1 })).toBe(false);
    expect(waitress.resolve({ command: 0x30, seq: 2 })).toBe(true);
    await expect(ack.promise).resolves.toEqual({ command: 0x30, seq: 2 });
    // Resolved waiters are gone: the same frame again finds nobody.
    expect(waitress.resolve({ command: 0x30, seq: 3 })).toBe(false);
  });

  it('gives a frame to the oldest matching waiter only', async () => {
    const waitress = new Waitress<Frame>();
    const first = waitress.waitFor((frame) => frame.command === 7, 1000, 'first');
    const second = waitress.waitFor((frame) => frame.command === 7, 1000, 'second');
    waitress.resolve({ command: 7, seq: 1 });
    waitress.resolve({ command: 7, seq: 2 });
    await expect(first.promise).resolves.toMatchObject({ seq: 1 });
    await expect(second.promise).resolves.toMatchObject({ seq: 2 });
  });

  it('rejects with a Timeout DriverError that names what was awaited and for how long', async () => {
    const waitress = new Waitress<Frame>();
    const ack = waitress.waitFor(() => true, 1500, 'GenImg ack');
    vi.advanceTimersByTime(1499);
    expect(waitress.resolve({ command: 1, seq: 0 })).toBe(true);
    await expect(ack.promise).resolves.toBeDefined();

    const late = waitress.waitFor(() => true, 1500, 'GenImg ack');
    const lateOutcome = late.promise.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1500);
    // The timeout first lets pending input through (one pass of the I/O phase: an immediate), then fires.
    await vi.runAllTimersAsync();
    const error = await lateOutcome;
    expect(isDriverError(error, DriverErrorCode.Timeout)).toBe(true);
    expect((error as Error).message).toContain('GenImg ack');
    expect((error as Error).message).toContain('1500 ms');
    // A timed-out waiter no longer catches frames.
    expect(waitress.resolve({ command: 1, seq: 0 })).toBe(false);
  });

  it('takes a reply the transport still held when the timer fired, instead of timing out', async () => {
    // As a serial port whose reply sat unread while the main thread was busy past the deadline.
    const deliverPending = vi.fn(() => {
      waitress.resolve({ command: 0x04, seq: 1 });
      return Promise.resolve();
    });
    const waitress = new Waitress<Frame>(deliverPending);
    const reply = waitress.waitFor((frame) => frame.command === 0x04, 1000, 'ChangeBaudrate reply');
    const outcome = reply.promise.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);
    expect(deliverPending).toHaveBeenCalledOnce();
    await expect(outcome).resolves.toEqual({ command: 0x04, seq: 1 });
  });

  it('times out when what the transport held was not the reply', async () => {
    const waitress: Waitress<Frame> = new Waitress<Frame>(() => {
      waitress.resolve({ command: 0x7f, seq: 1 });
      return Promise.reject(new Error('the port went away'));
    });
    const reply = waitress.waitFor((frame) => frame.command === 0x04, 1000, 'ChangeBaudrate reply');
    const outcome = reply.promise.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);
    expect(isDriverError(await outcome, DriverErrorCode.Timeout)).toBe(true);
  });

  it('cancel() stops the waiter from matching and from timing out', async () => {
    const waitress = new Waitress<Frame>();
    const settled = vi.fn();
    const ack = waitress.waitFor(() => true, 100, 'cancelled ack');
    ack.promise.then(settled, settled);
    ack.cancel();
    expect(waitress.resolve({ command: 1, seq: 0 })).toBe(false);
    vi.advanceTimersByTime(1000);
    await Promise.resolve();
    expect(settled).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejectAll() fails every pending waiter with the given error and clears their timers', async () => {
    const waitress = new Waitress<Frame>();
    const a = waitress.waitFor(() => true, 1000, 'a');
    const b = waitress.waitFor(() => true, 1000, 'b');
    const gone = new Error('pty pulled');
    waitress.rejectAll(gone);
    await expect(a.promise).rejects.toBe(gone);
    await expect(b.promise).rejects.toBe(gone);
    expect(vi.getTimerCount()).toBe(0);
    expect(waitress.resolve({ command: 1, seq: 0 })).toBe(false);
  });

  it('skips a waiter whose matcher throws instead of throwing into the data path', async () => {
    const waitress = new Waitress<Frame>();
    const broken = waitress.waitFor(
      () => {
        throw new Error('bad matcher');
      },
      1000,
      'broken',
    );
    const good = waitress.waitFor((frame) => frame.command === 2, 1000, 'good');
    expect(() => waitress.resolve({ command: 2, seq: 0 })).not.toThrow();
    await expect(good.promise).resolves.toMatchObject({ command: 2 });
    broken.cancel();
  });
});
