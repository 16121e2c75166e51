import { randomBytes } from 'node:crypto';
import { basename, isAbsolute } from 'node:path';
import { z } from 'zod';
import { AgentError, ErrorCode } from '../../errors.js';
import type { Journal } from '../../journal/journal.js';
import type { JournalTransaction } from '../../journal/types.js';
import { issueSummary } from '../../util/zodIssues.js';
import { digestFile } from './fileDigest.js';
import { fileMessages as t } from './messages.js';
import { insertUpload, recentUploads, type UploadRow } from './uploadRows.js';

/** Journaled when a file is queued: the county sees which files a room has, even before they arrive. */
export const FILE_QUEUED_EVENT = 'file.queued';

/** Serialised metadata travels in every init; a few KiB is plenty for camera, activity, timestamps. */
const MAX_META_BYTES = 4096;

/** Names the center can store after sanitising: no directory part, nothing invisible. */
export const fileNameSchema = z
  .string()
  .min(1)
  .max(255)
  // eslint-disable-next-line no-control-regex -- control characters are what the rule keeps out of names
  .refine((name) => name !== '.' && name !== '..' && !/[/\\\u0000-\u001f\u007f]/.test(name), {
    error: () => t('nameRule'),
  });

export const fileKindSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, { error: () => t('kindRule') });

export const enqueueRequestSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .max(4096)
    .refine(isAbsolute, { error: () => t('absolutePath') }),
  /** Defaults to the file's own name. */
  name: fileNameSchema,
  kind: fileKindSchema,
  meta: z
    .record(z.string(), z.json())
    .refine((meta) => JSON.stringify(meta).length <= MAX_META_BYTES, {
      error: () => t('metaSize', { bytes: MAX_META_BYTES }),
    })
    .default({}),
});
export type EnqueueRequest = Omit<z.input<typeof enqueueRequestSchema>, 'name'> & { name?: string | undefined };

export interface QueuedFile {
  fileId: string;
  name: string;
  size: number;
  sha256: string;
  /** Seq of the `file.queued` entry. */
  seq: number;
}

/** 128 random bits in the topic-safe alphabet the protocol allows ([A-Za-z0-9_-]). */
function newFileId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The file outbox: queuing a file hashes it and records it in file_uploads and the journal in one
 * transaction. The uploader (sync) sends what is queued; a standalone CLI only queues, and the
 * daemon sends the file once it runs. Meeting photos and recordings are queued here too.
 */
export class FileQueue {
  constructor(private readonly journal: Journal) {}

  /**
   * Throws FileInvalid, FileUnreadable, FileNotRegular or FileChanged (codes 630–633). `alongside`
   * runs in the queuing transaction, so what it records (a meeting photo's own journal entry) and
   * the queued upload commit together: when it throws, neither is written.
   */
  async enqueue(
    request: EnqueueRequest,
    alongside?: (tx: JournalTransaction, queued: QueuedFile) => void,
  ): Promise<QueuedFile> {
    const input = { ...request, name: request.name ?? basename(request.path) };
    const parsed = enqueueRequestSchema.safeParse(input);
    if (!parsed.success) {
      throw new AgentError(
        ErrorCode.FileInvalid,
        t('invalid', { problems: issueSummary(parsed.error.issues, input) }),
        { path: request.path },
      );
    }
    const { path, name, kind, meta } = parsed.data;
    const { size, sha256 } = await digestFile(path);
    const fileId = newFileId();
    return this.journal.transaction((tx) => {
      const entry = tx.append(FILE_QUEUED_EVENT, { fileId, name, kind, size, sha256 });
      insertUpload(tx.db, { fileId, path, name, kind, size, sha256, meta, queuedSeq: entry.seq });
      const queued = { fileId, name, size, sha256, seq: entry.seq };
      alongside?.(tx, queued);
      return queued;
    });
  }

  /** The latest uploads, newest first. */
  list(limit: number): UploadRow[] {
    return recentUploads(this.journal.db, limit);
  }
}
