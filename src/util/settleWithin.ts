/**
 * Resolves when `promise` settles or `ms` passed, whichever is first; never rejects. For a stop
 * that must not hang on a peer that went away (a broker that never answers a last PUBACK).
 */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
