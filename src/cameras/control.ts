import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';

const cameraText = defineMessages({
  serviceMissing: {
    zh: '本版本的代理程序没有摄像头服务，无法执行摄像头命令',
    en: 'no camera service runs in this agent version: camera commands cannot be carried out',
  },
});

/**
 * The seam between center commands and the cameras: a camera service implements it with the
 * real work (RTSP pull, push to the county media server, snapshots); until one is wired in, every
 * call is answered with CameraUnavailable. Names are checked against config.cameras before a call.
 */
export interface CameraControl {
  /** Starts or stops the push of `camera` to the county media server; the result goes into the reply. */
  stream(camera: string, on: boolean): Promise<unknown>;
  /** Takes a photo with `camera` (uploaded to the county like a meeting photo); the result goes into the reply. */
  photo(camera: string): Promise<unknown>;
}

/** No camera service runs in this agent version: a typed refusal, answered `unavailable`. */
export class CameraUnavailableError extends AgentError {
  constructor(camera: string) {
    super(ErrorCode.CameraUnavailable, cameraText('serviceMissing'), { camera });
  }
}

/** The CameraControl of an agent without a camera service. */
export const noCameraService: CameraControl = {
  stream: (camera) => Promise.reject(new CameraUnavailableError(camera)),
  photo: (camera) => Promise.reject(new CameraUnavailableError(camera)),
};
