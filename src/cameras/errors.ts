import { AgentError, ErrorCode } from '../errors.js';
import { cameraAdvice } from './messages.js';
import type { CameraProblem } from './types.js';

const CODE_OF: Record<CameraProblem, ErrorCode> = {
  unreachable: ErrorCode.CameraUnreadable,
  'auth-failed': ErrorCode.CameraUnreadable,
  'not-found': ErrorCode.CameraUnreadable,
  'bad-url': ErrorCode.CameraUnreadable,
  timeout: ErrorCode.CameraUnreadable,
  'h265-over-rtmp': ErrorCode.CameraUnsupported,
  'unsupported-video': ErrorCode.CameraUnsupported,
  'no-video': ErrorCode.CameraUnsupported,
  'server-refused': ErrorCode.MediaServerRefused,
  'server-unreachable': ErrorCode.MediaServerRefused,
  'ffmpeg-missing': ErrorCode.FfmpegMissing,
  'ffmpeg-error': ErrorCode.FfmpegFailed,
};

/**
 * A camera that cannot be read or pushed, with the problem the state machine branches on and the
 * advice for people as its message. `lastError` is ffmpeg's last error line, already masked.
 */
export class CameraError extends AgentError {
  constructor(
    readonly problem: CameraProblem,
    readonly lastError?: string,
    context: Readonly<Record<string, unknown>> = {},
  ) {
    super(CODE_OF[problem], cameraAdvice(problem), { ...context, problem });
  }
}

export function isCameraError(error: unknown, problem?: CameraProblem): error is CameraError {
  return error instanceof CameraError && (problem === undefined || error.problem === problem);
}
