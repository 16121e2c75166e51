import type { JsonValue } from '../../journal/types.js';
import type { Db } from '../../store/database.js';
import { statement } from '../../store/statements.js';

export type UploadState = 'pending' | 'complete' | 'failed';

/** One row of file_uploads (migration 4): a file on its way to the center, or done. */
export interface UploadRow {
  fileId: string;
  /** Absolute path on this device; read again for every segment. */
  path: string;
  /** The name the center stores it under (after its own sanitising). */
  name: string;
  kind: string;
  size: number;
  sha256: string;
  meta: Record<string, JsonValue>;
  /** What the center confirmed it holds contiguously. */
  ackedOffset: number;
  /** Times the center refused the file and the upload started over. */
  attempts: number;
  state: UploadState;
  error: string | null;
  /** Seq of the `file.queued` entry; uploads go oldest first. */
  queuedSeq: number;
  /** Seq of the `file.uploaded` or `file.failed` entry. */
  doneSeq: number | null;
}

export type NewUpload = Omit<UploadRow, 'ackedOffset' | 'attempts' | 'state' | 'error' | 'doneSeq'>;

const COLUMNS = `file_id AS fileId, path, name, kind, size, sha256, meta, acked_offset AS ackedOffset, attempts, state, error,
  queued_seq AS queuedSeq, done_seq AS doneSeq`;

type StoredRow = Omit<UploadRow, 'meta'> & { meta: string };

/** The table is only written by this module, so its meta column is JSON this module wrote. */
function fromStored(row: StoredRow): UploadRow {
  return { ...row, meta: JSON.parse(row.meta) as Record<string, JsonValue> };
}

export function insertUpload(db: Db, row: NewUpload): void {
  statement(
    db,
    `INSERT INTO file_uploads (file_id, path, name, kind, size, sha256, meta, state, queued_seq)
     VALUES (@fileId, @path, @name, @kind, @size, @sha256, @meta, 'pending', @queuedSeq)`,
  ).run({ ...row, meta: JSON.stringify(row.meta) });
}

/** Meeting recordings: the bulk of what a room uploads, and the least urgent. */
export const RECORDING_KIND = 'recording';

/**
 * The pending upload to send next: photos and other files first, then recordings, each by the
 * order they were queued. A photo queued while a recording segment uploads waits only for that
 * segment to finish, never for the rest of the meeting.
 */
export function nextPending(db: Db): UploadRow | undefined {
  const row = statement(
    db,
    `SELECT ${COLUMNS} FROM file_uploads WHERE state = 'pending' ORDER BY kind = ?, queued_seq LIMIT 1`,
  ).get(RECORDING_KIND) as StoredRow | undefined;
  return row === undefined ? undefined : fromStored(row);
}

/** Where an upload stands; undefined for an unknown file id. */
export function uploadState(db: Db, fileId: string): UploadState | undefined {
  return statement(db, 'SELECT state FROM file_uploads WHERE file_id = ?').pluck().get(fileId) as
    UploadState | undefined;
}

/** The latest `limit` uploads, newest first. */
export function recentUploads(db: Db, limit: number): UploadRow[] {
  return (
    statement(db, `SELECT ${COLUMNS} FROM file_uploads ORDER BY queued_seq DESC LIMIT ?`).all(limit) as StoredRow[]
  ).map(fromStored);
}

export function pendingTotals(db: Db): { files: number; bytes: number } {
  return statement(
    db,
    `SELECT COUNT(*) AS files, COALESCE(SUM(size - acked_offset), 0) AS bytes FROM file_uploads WHERE state = 'pending'`,
  ).get() as { files: number; bytes: number };
}

export function recordAckedOffset(db: Db, fileId: string, offset: number): void {
  statement(db, 'UPDATE file_uploads SET acked_offset = ? WHERE file_id = ?').run(offset, fileId);
}

/** Counts one more start-over (the center refused the file); returns the new count. */
export function recordAttempt(db: Db, fileId: string): number {
  statement(db, 'UPDATE file_uploads SET attempts = attempts + 1, acked_offset = 0 WHERE file_id = ?').run(fileId);
  const { attempts } = statement(db, 'SELECT attempts FROM file_uploads WHERE file_id = ?').get(fileId) as {
    attempts: number;
  };
  return attempts;
}

/** How an upload ended: `error` says why it failed. */
export interface UploadOutcome {
  state: Exclude<UploadState, 'pending'>;
  error: string | null;
  ackedOffset: number;
}

/** `doneSeq` is the seq of the journal entry written in the same transaction. */
export function finishUpload(db: Db, fileId: string, outcome: UploadOutcome & { doneSeq: number }): void {
  statement(
    db,
    'UPDATE file_uploads SET state = @state, error = @error, done_seq = @doneSeq, acked_offset = @ackedOffset WHERE file_id = @fileId',
  ).run({ fileId, ...outcome });
}

/** True when the upload of `fileId` completed: the center holds the whole file. */
export function uploadCompleted(db: Db, fileId: string): boolean {
  return statement(db, "SELECT 1 FROM file_uploads WHERE file_id = ? AND state = 'complete'").get(fileId) !== undefined;
}
