import { z } from 'zod';
import { defineCommand } from '../definition.js';
import type { CommandDependencies } from '../dependencies.js';
import { commandText } from '../messages.js';
import { CommandRefusal } from '../refusal.js';

const segmentIndex = z.number().int().min(1);

/** recording.upload's params: an activity's segments, one camera's or all, an index range (inclusive) or all. */
export const recordingUploadParams = z
  .strictObject({
    activityId: z.string().min(1).max(64),
    camera: z.string().min(1).max(32).optional(),
    fromIndex: segmentIndex.optional(),
    toIndex: segmentIndex.optional(),
  })
  .refine(({ fromIndex, toIndex }) => fromIndex === undefined || toIndex === undefined || fromIndex <= toIndex, {
    error: () => commandText('recordingRange'),
    path: ['toIndex'],
  });

/** An activity this room never ran is `invalid-params`: a typo in the id must not read as "nothing recorded". */
function checkActivity({ activityId }: { activityId: string }, deps: CommandDependencies): void {
  if (deps.recordings.knows(activityId)) return;
  throw new CommandRefusal('invalid-params', commandText('unknownActivity', { activityId }), {
    paths: ['activityId'],
  });
}

/**
 * recording.upload {activityId, camera?, fromIndex?, toIndex?}: queues the selected segments of the
 * meeting's recording for upload, after every photo and other file; says what was queued, what
 * was queued or uploaded before, and what no longer exists.
 */
export const recordingUpload = defineCommand({
  type: 'recording.upload',
  mode: 'task',
  params: recordingUploadParams,
  check: checkActivity,
  run: (selection, { deps }) => deps.recordings.request(selection),
});
