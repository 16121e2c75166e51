import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError, DriverErrorCode, isDriverError } from '../../common/errors.js';
import type { EnrollOptions } from '../../scanner.js';
import { gt521Commands } from '../framing/commands.js';
import type { Gt521ModuleCommands } from './moduleCommands.js';

const SCANS = [1, 2, 3] as const;
const ENROLL_SCANS = SCANS.length;

export interface EnrollmentSettings {
  /** How often IsPressFinger is asked while waiting for a finger to arrive or leave. */
  readonly pollIntervalMs: number;
  /** Used when the caller gives no placeTimeoutMs; also bounds each wait for a lift. */
  readonly placeTimeoutMs: number;
  /** Poor images (or a finger lifted too soon) tolerated per scan before giving up. */
  readonly attemptsPerScan: number;
}

export const DEFAULT_ENROLLMENT_SETTINGS: EnrollmentSettings = {
  pollIntervalMs: 100,
  placeTimeoutMs: 20_000,
  attemptsPerScan: 3,
};

/**
 * EnrollStart, then three times: wait for a finger, capture the best image, EnrollN; between
 * scans the finger must leave the sensor, so three placements give three different images. The
 * module checks for a duplicate at each EnrollN and answers with the slot already holding the
 * finger, which surfaces as DriverError DuplicateFinger with context.slot. The slot range is the
 * caller's to check against the model's capacity.
 */
export async function enrollFinger(
  commands: Gt521ModuleCommands,
  options: EnrollOptions,
  settings: EnrollmentSettings,
): Promise<void> {
  const timeoutMs = options.placeTimeoutMs ?? settings.placeTimeoutMs;
  await commands.withLight(async () => {
    throwIfAborted(options.signal);
    await commands.expectAck(gt521Commands.enrollStart(options.slot));
    for (const scan of SCANS) {
      await captureScan(commands, options, settings, scan, timeoutMs);
      options.prompt({ step: 'captured', scan, of: ENROLL_SCANS });
      if (scan < ENROLL_SCANS) await waitForLift(commands, options, settings, timeoutMs);
    }
  });
}

async function captureScan(
  commands: Gt521ModuleCommands,
  options: EnrollOptions,
  settings: EnrollmentSettings,
  scan: 1 | 2 | 3,
  timeoutMs: number,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    options.prompt({ step: 'place', scan, of: ENROLL_SCANS });
    const awaited = `finger placed for scan ${scan} of ${ENROLL_SCANS}`;
    await waitForFinger(commands, options, settings, true, timeoutMs, awaited);
    try {
      await commands.expectAck(gt521Commands.captureFinger(true));
      await commands.expectAck(gt521Commands.enroll(scan), 'duplicate-check');
      return;
    } catch (error) {
      const worthRetrying =
        isDriverError(error, DriverErrorCode.PoorImage) || isDriverError(error, DriverErrorCode.NoFinger);
      if (!worthRetrying || attempt >= settings.attemptsPerScan) throw error;
      options.prompt({ step: 'retry', scan, reason: error.message });
      // A fresh placement, not another look at the same smudge.
      if (await commands.fingerPressed()) await waitForLift(commands, options, settings, timeoutMs);
    }
  }
}

async function waitForLift(
  commands: Gt521ModuleCommands,
  options: EnrollOptions,
  settings: EnrollmentSettings,
  timeoutMs: number,
): Promise<void> {
  options.prompt({ step: 'lift' });
  await waitForFinger(commands, options, settings, false, timeoutMs, 'finger lifted from the sensor');
}

async function waitForFinger(
  commands: Gt521ModuleCommands,
  options: EnrollOptions,
  settings: EnrollmentSettings,
  wanted: boolean,
  timeoutMs: number,
  awaited: string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    throwIfAborted(options.signal);
    if ((await commands.fingerPressed()) === wanted) return;
    if (performance.now() >= deadline) {
      throw new DriverError(
        wanted ? DriverErrorCode.NoFinger : DriverErrorCode.Timeout,
        `enrollment stopped: no ${awaited} within ${timeoutMs} ms`,
        { awaited, timeoutMs, slot: options.slot },
      );
    }
    await sleep(settings.pollIntervalMs);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new DriverError(DriverErrorCode.Aborted, 'enrollment cancelled before it finished', {
      reason: String(signal.reason),
    });
  }
}
