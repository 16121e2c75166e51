import { z } from 'zod';
import { checkOverride, writeOverride } from '../../../config/writeOverride.js';
import { canonicalJson } from '../../../journal/canonical.js';
import { defineCommand } from '../definition.js';
import type { ConfigTarget } from '../dependencies.js';
import { commandText } from '../messages.js';
import { currentOverride, overrideData, withSetting } from '../overrideFile.js';
import { CommandRefusal } from '../refusal.js';

/**
 * The settings the center may change: link tuning, the journal's retention, the log level and the
 * sign-in window. Not the broker, credentials, topic prefix or keys (a wrong one cuts the room off
 * for good, or disarms the signature check), not hardware wiring (pins, device paths: the
 * technician's, on site), not template escrow (a privacy decision the county makes with the
 * branch, on site), not device.* (dataDir decides where the override itself lives). Not cameras[]:
 * their URLs carry the cameras' passwords, which would cross the broker and rest in the override
 * file, and a push URL set remotely could send a meeting's live picture to any server. Not
 * media.ffmpegPath or ffprobePath: that would let a message choose a program the agent runs. The
 * rest of media stays with the cameras it describes: the county already decides how many photos
 * a meeting gets through each activity's `photos` term.
 */
export const CENTER_SETTABLE_KEYS = [
  'county.keepaliveSeconds',
  'county.reconnectMinMs',
  'county.reconnectMaxMs',
  'county.healthIntervalSeconds',
  'county.batchMaxEvents',
  'county.batchMaxBytes',
  'county.maxInflight',
  'county.backfillBytesPerSecond',
  'county.uplinkBytesPerSecond',
  'county.backfillFloorBytesPerSecond',
  'county.ackTimeoutSeconds',
  'county.fileSegmentBytes',
  'journal.retentionDays',
  'journal.pruneIntervalMinutes',
  'scanner.signInWindowMinutes',
  'log.level',
] as const;

const settable: ReadonlySet<string> = new Set(CENTER_SETTABLE_KEYS);

const valuesSchema = z.record(z.string(), z.json()).superRefine((values, context) => {
  const keys = Object.keys(values);
  if (keys.length === 0) context.addIssue({ code: 'custom', message: commandText('configNoValues') });
  for (const key of keys.filter((name) => !settable.has(name))) {
    context.addIssue({
      code: 'custom',
      path: [key],
      message: commandText('configKeyNotAllowed', { allowed: CENTER_SETTABLE_KEYS.join(', ') }),
    });
  }
});

type Values = z.infer<typeof valuesSchema>;

/** The present override with the new values over it: what config.set writes. */
function nextOverride(
  target: ConfigTarget,
  values: Values,
): { current: Record<string, unknown>; next: Record<string, unknown> } {
  const current = overrideData(currentOverride(target));
  const next = Object.entries(values).reduce((data, [key, value]) => withSetting(data, key, value), current);
  return { current, next };
}

/**
 * config.set {values: {"county.healthIntervalSeconds": 600, "log.level": null, …}}: dotted keys
 * of CENTER_SETTABLE_KEYS; null removes a key from the override (the main file's value applies
 * again). The values go over the present override and the result is validated on top of the main
 * file with the whole schema before anything is written (a problem is `invalid-params`, naming
 * the key). Then the override file is written, the reply sent and a restart requested: the next
 * start runs it on trial (app/configTrial.ts) and reverts to the last good configuration if a
 * service does not start on it.
 */
export const configSet = defineCommand({
  type: 'config.set',
  mode: 'task',
  params: z.strictObject({ values: valuesSchema }),
  check: ({ values }, deps) => {
    const { problems } = checkOverride(deps.config.path, nextOverride(deps.config, values).next, deps.config.options);
    if (problems.length > 0) {
      throw new CommandRefusal(
        'invalid-params',
        commandText('invalidParams', { type: 'config.set', problems: problems.join('; ') }),
      );
    }
  },
  run: ({ values }, { deps, afterReply }) => {
    const { current, next } = nextOverride(deps.config, values);
    if (canonicalJson(current) === canonicalJson(next)) return { changed: false, restart: false };
    writeOverride(deps.config.path, next, deps.config.options);
    afterReply(() => deps.requestRestart('config.set'));
    return { changed: true, restart: true };
  },
});
