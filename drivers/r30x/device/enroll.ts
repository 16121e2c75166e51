/**
 * Enrollment on an R30x module: place → Img2Tz(1) → refuse a finger already enrolled → lift →
 * place again → Img2Tz(2) → RegModel → Store(1, slot), guiding the technician through prompts.
 */
import { DriverError, DriverErrorCode, isDriverError } from '../../common/errors.js';
import type { EnrollOptions } from '../../scanner.js';
import { describeConfirmation } from '../framing/confirmation.js';
import { genImg, img2Tz, regModel, search, store, type CharBuffer } from '../framing/instructions.js';
import type { R30xProtocol } from '../protocol/protocol.js';

const DEFAULT_PLACE_TIMEOUT_MS = 20_000;
/** Attempts at one scan (poor images) and at the whole pair (scans that will not combine). */
const MAX_ATTEMPTS = 3;
const SCANS = 2;

export interface EnrollContext {
  readonly protocol: R30xProtocol;
  readonly capacity: number;
  /** Pause between GenImg polls while waiting for a finger or a lift. */
  readonly pollIntervalMs: number;
}

export async function enrollFinger(context: EnrollContext, options: EnrollOptions): Promise<void> {
  const { protocol } = context;
  for (let attempt = 1; ; attempt += 1) {
    await scan(context, options, 1);
    await refuseEnrolledFinger(context);
    options.prompt({ step: 'lift' });
    await waitForSensor(context, options, 'lifted');
    await scan(context, options, 2);
    try {
      await protocol.execute(regModel());
      break;
    } catch (error) {
      if (!isDriverError(error, DriverErrorCode.EnrollMismatch) || attempt >= MAX_ATTEMPTS) throw error;
      options.prompt({ step: 'retry', scan: 1, reason: reasonOf(error) });
      options.prompt({ step: 'lift' });
      await waitForSensor(context, options, 'lifted');
    }
  }
  await protocol.execute(store(1, options.slot));
}

/** One capture into feature buffer `buffer`, asking again after a poor image. */
async function scan(context: EnrollContext, options: EnrollOptions, buffer: CharBuffer): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    options.prompt({ step: 'place', scan: buffer, of: SCANS });
    await waitForSensor(context, options, 'placed');
    try {
      await context.protocol.execute(img2Tz(buffer));
      options.prompt({ step: 'captured', scan: buffer, of: SCANS });
      return;
    } catch (error) {
      if (!isDriverError(error, DriverErrorCode.PoorImage) || attempt >= MAX_ATTEMPTS) throw error;
      options.prompt({ step: 'retry', scan: buffer, reason: reasonOf(error) });
      options.prompt({ step: 'lift' });
      await waitForSensor(context, options, 'lifted');
    }
  }
}

/** A finger already in the library would make one member answer for two. */
async function refuseEnrolledFinger(context: EnrollContext): Promise<void> {
  try {
    const hit = await context.protocol.execute(search(1, 0, context.capacity));
    throw new DriverError(
      DriverErrorCode.DuplicateFinger,
      `this finger is already enrolled in slot ${hit.slot}; use another finger or remove that enrollment first`,
      { slot: hit.slot, score: hit.score },
    );
  } catch (error) {
    if (!isDriverError(error, DriverErrorCode.NoMatch)) throw error;
  }
}

/**
 * Polls GenImg until the sensor is in the wanted state. A failed capture (03) settles nothing: a
 * finger half on the glass is neither placed nor lifted yet.
 */
async function waitForSensor(context: EnrollContext, options: EnrollOptions, want: 'placed' | 'lifted'): Promise<void> {
  const timeoutMs = options.placeTimeoutMs ?? DEFAULT_PLACE_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    throwIfAborted(options.signal);
    const state = await sensorState(context.protocol);
    if (state === want) return;
    if (performance.now() >= deadline) {
      throw new DriverError(
        DriverErrorCode.Timeout,
        want === 'placed'
          ? `no finger was placed on the sensor within ${timeoutMs / 1000} s`
          : `the finger was not lifted from the sensor within ${timeoutMs / 1000} s`,
        { awaited: want, timeoutMs },
      );
    }
    await pause(context.pollIntervalMs, options.signal);
  }
}

async function sensorState(protocol: R30xProtocol): Promise<'placed' | 'lifted' | 'unclear'> {
  try {
    await protocol.execute(genImg());
    return 'placed';
  } catch (error) {
    if (isDriverError(error, DriverErrorCode.NoFinger)) return 'lifted';
    if (isDriverError(error, DriverErrorCode.PoorImage)) return 'unclear';
    throw error;
  }
}

function reasonOf(error: DriverError): string {
  const confirmation = error.context['confirmation'];
  return typeof confirmation === 'number' ? describeConfirmation(confirmation) : error.message;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new DriverError(DriverErrorCode.Aborted, 'enrollment was cancelled', {}, { cause: signal.reason });
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
