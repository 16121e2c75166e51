import { CAMERA_STATES, type CameraProblem } from '../types.js';

/**
 * A camera's meeting recording: the push's states (cameras/types.ts CameraState) for its own
 * ffmpeg, and `no-space`: stopped, its last segment closed and indexed, because the data
 * directory's storage has no room for media (or refuses writes); it starts again by itself.
 */
export const RECORDING_STATES = [...CAMERA_STATES, 'no-space'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

/** One camera's recording as status and health show it; no URL, no credential. */
export interface RecordingReport {
  camera: string;
  state: RecordingState;
  /** The activity recorded now; absent when none is. */
  activityId?: string | undefined;
  /** Segments of that activity's recording of the camera indexed so far. */
  segments: number;
  problem?: CameraProblem | undefined;
  /** What went wrong and what to do (English on the wire), or why recording is stopped. */
  detail?: string | undefined;
  /** The last masked ffmpeg error line. */
  lastError?: string | undefined;
}
