/**
 * Runs synchronous work behind an interface that returns a promise (a transport over hidraw, a
 * module that answered at open): the work runs now, and a throw becomes the rejection the
 * interface's callers handle, as it would from any other implementation.
 */
export function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
