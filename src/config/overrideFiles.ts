import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { readBootId } from '../clock/systemClock.js';
import { readOptionalText } from './yamlSource.js';

/**
 * Files of remote configuration under <dataDir>/config/ (the unit keeps /etc read-only):
 * - override.yaml: the override in effect, written by remote configuration;
 * - override.last-good.yaml: the override of the last start that ran healthy for
 *   device.configTrialSeconds (absent: the file alone was last good);
 * - override.trial: present while a new override is on trial, naming it by hash and the process
 *   trying it, so the next start can tell "never confirmed" from "still running";
 * - override.rejected.yaml: the last override that was reverted, kept for the technician.
 */
export interface OverrideFiles {
  directory: string;
  override: string;
  lastGood: string;
  trial: string;
  rejected: string;
}

/** Overrides may carry camera URLs with their passwords: readable by the agent's user only. */
export const OVERRIDE_FILE_MODE = 0o600;

export function overrideFiles(dataDir: string): OverrideFiles {
  const directory = join(dataDir, 'config');
  return {
    directory,
    override: join(directory, 'override.yaml'),
    lastGood: join(directory, 'override.last-good.yaml'),
    trial: join(directory, 'override.trial'),
    rejected: join(directory, 'override.rejected.yaml'),
  };
}

const trialMarkerSchema = z.object({
  sha256: z.string(),
  pid: z.number().int(),
  bootId: z.string(),
});
export type TrialMarker = z.infer<typeof trialMarkerSchema>;

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function trialMarkerFor(text: string): TrialMarker {
  return { sha256: hashText(text), pid: process.pid, bootId: currentBootId() };
}

/** A marker that cannot be parsed names no override, so it can never cause a revert. */
export function readTrialMarker(file: string): TrialMarker | undefined {
  const text = readOptionalText(file);
  if (text === undefined) return undefined;
  try {
    const parsed = trialMarkerSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when another process of this boot that is still alive put the override on trial: the
 * daemon is running it right now (a second `room-agent run` or a one-shot command must not
 * revert it under the daemon's feet).
 */
export function trialHeldByOtherProcess(marker: TrialMarker): boolean {
  if (marker.pid === process.pid || marker.bootId !== currentBootId()) return false;
  try {
    process.kill(marker.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: string | undefined;

/** Pids are reused across boots; the kernel's boot id tells whether a marker's pid can be ours. */
function currentBootId(): string {
  bootId ??= readBootId();
  return bootId;
}
