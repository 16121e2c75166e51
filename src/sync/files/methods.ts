import { z } from 'zod';
import { fileKindSchema, fileNameSchema, type FileQueue } from './fileQueue.js';
import type { ControlRegistry } from '../../control/registry.js';

/** The kinds a technician may pick on the command line; a camera queues its own. */
export const CLI_FILE_KINDS = ['photo', 'recording', 'other'] as const;

export const fileMethodParams = {
  send: z.strictObject({
    /** Absolute (FileQueue checks): the daemon's working directory is not the technician's. */
    path: z.string().min(1).max(4096),
    kind: fileKindSchema.default('other'),
    name: fileNameSchema.optional(),
  }),
  list: z.strictObject({ limit: z.number().int().min(1).max(1000).default(50) }),
};

export const sendResultSchema = z.strictObject({
  fileId: z.string(),
  name: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  seq: z.number().int(),
});

export const uploadSummarySchema = z.strictObject({
  fileId: z.string(),
  name: z.string(),
  kind: z.string(),
  path: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  ackedOffset: z.number().int(),
  state: z.enum(['pending', 'complete', 'failed']),
  error: z.string().nullable(),
  meta: z.record(z.string(), z.json()),
  attempts: z.number().int(),
  queuedSeq: z.number().int(),
  doneSeq: z.number().int().nullable(),
});
export type UploadSummary = z.infer<typeof uploadSummarySchema>;

/**
 * `files.send` queues a file for the county center; `files.list` shows the latest uploads. Both
 * need only the journal: without a daemon the CLI queues the file itself and the daemon sends it
 * once it runs; with one, the uploader hears of it from the bus and sends it at once.
 */
export function registerFileMethods(registry: ControlRegistry, queue: FileQueue): void {
  registry.register('files.send', fileMethodParams.send, ({ path, kind, name }) => queue.enqueue({ path, kind, name }));
  registry.register('files.list', fileMethodParams.list, ({ limit }): UploadSummary[] => queue.list(limit));
}
