import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import { RECORDING_KIND } from '../sync/files/uploadRows.js';
import { recordingMetaSchema, type RecordingMeta } from '../sync/files/recordingUploads.js';

/** A recording segment the center received whole (size and SHA-256 checked at its fin). */
export interface ReceivedSegment extends RecordingMeta {
  deviceId: string;
  fileId: string;
  size: number;
  sha256: string;
  /** Where the center stored it. */
  path: string;
  completedMs: number;
}

interface FileRow {
  device_id: string;
  file_id: string;
  size: number;
  sha256: string;
  path: string;
  meta: string;
  completed_ms: number;
}

/**
 * The recording segments received from rooms, for an auditor: a room's or every room's, one
 * activity's or all, in meeting order (activity, camera, index). A file of kind `recording` whose
 * metadata does not name its place (a technician's `files send`) is not a segment and is left out.
 */
export function receivedSegments(db: Db, filter: { deviceId?: string; activityId?: string } = {}): ReceivedSegment[] {
  const rows = statement(
    db,
    `SELECT device_id, file_id, size, sha256, path, meta, completed_ms FROM files
     WHERE kind = @kind AND (@deviceId IS NULL OR device_id = @deviceId)
       AND (@activityId IS NULL OR json_extract(meta, '$.activityId') = @activityId)`,
  ).all({
    kind: RECORDING_KIND,
    deviceId: filter.deviceId ?? null,
    activityId: filter.activityId ?? null,
  }) as FileRow[];
  return rows
    .flatMap((row) => {
      const meta = recordingMetaSchema.safeParse(JSON.parse(row.meta));
      if (!meta.success) return [];
      return [
        {
          ...meta.data,
          deviceId: row.device_id,
          fileId: row.file_id,
          size: row.size,
          sha256: row.sha256,
          path: row.path,
          completedMs: row.completed_ms,
        },
      ];
    })
    .sort(
      (a, b) =>
        a.deviceId.localeCompare(b.deviceId) ||
        a.activityId.localeCompare(b.activityId) ||
        a.camera.localeCompare(b.camera) ||
        a.index - b.index,
    );
}
