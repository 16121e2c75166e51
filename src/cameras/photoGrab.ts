import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { fsyncDirectory, mkdirDurable } from '../util/durableDir.js';
import { isCameraError } from './errors.js';
import { photoArgs } from './ffmpeg/args.js';
import { classifyErrorLines } from './ffmpeg/classify.js';
import { cameraAdvice } from './messages.js';
import type { CameraProblem, FfmpegExit, FfmpegLauncher } from './types.js';

const text = defineMessages({
  failed: {
    zh: '摄像头 {camera} 未能拍照：{reason}',
    en: 'camera {camera} took no photo: {reason}',
  },
});

/** A JPEG starts with SOI (FF D8): anything else is not a picture, whatever ffmpeg's exit code said. */
const JPEG_MAGIC = Buffer.from([0xff, 0xd8]);

/**
 * Each step of stopping a grab (`q`, then SIGINT, then SIGKILL to its group). A grab is stopped
 * only when its picture is no longer wanted, and ffmpeg blocked on a silent camera reads no `q`:
 * with the runner's longer default, a daemon stopping during such a grab overran its stop deadline
 * (the pushes' stops share it). SIGINT still comes before SIGKILL, so ffmpeg can end the camera's
 * RTSP session: a camera serves only a few at once.
 */
const GRAB_STOP_GRACE_MS = 500;

/** Photo folders hold members' meeting pictures: the agent's user and group only. */
const PHOTO_DIR_MODE = 0o750;

export interface GrabRequest {
  /** Names the ffmpeg run (its pid file and log lines) and the error. */
  camera: string;
  /** The camera's main stream: photos want full quality. */
  url: string;
  /** Where the JPEG ends up; it appears there whole or not at all. */
  target: string;
  /** A camera that gives no picture in this time is given up on (the run is stopped). */
  timeoutMs: number;
  /** Stops the grab early (the service is stopping). */
  signal?: AbortSignal | undefined;
}

/**
 * A failed grab. `reason` is an English line for the journal and the log, built from ffmpeg's
 * masked stderr and never from the URL; the message is the advice for the problem, when ffmpeg's
 * lines name one, in the reader's language.
 */
export class PhotoGrabError extends AgentError {
  constructor(
    camera: string,
    readonly reason: string,
    readonly problem?: CameraProblem,
  ) {
    const said = problem === undefined ? reason : cameraAdvice(problem);
    super(ErrorCode.CameraPhotoFailed, text('failed', { camera, reason: said }), { camera, reason, problem });
  }
}

/**
 * Takes one JPEG from a camera: ffmpeg writes a temporary file beside the target, which is checked
 * to be a JPEG, fsync'd and renamed into place, so the upload queue never sees half a picture.
 * Resolves with the file's size; throws PhotoGrabError.
 */
export async function grabJpeg(launcher: FfmpegLauncher, request: GrabRequest): Promise<number> {
  const { camera, target } = request;
  const directory = dirname(target);
  mkdirDurable(directory, PHOTO_DIR_MODE);
  const temporary = join(directory, `.${basename(target)}.tmp`);
  try {
    await runGrab(launcher, request, temporary);
    const bytes = checkJpeg(camera, temporary);
    syncFile(temporary);
    renameSync(temporary, target);
    fsyncDirectory(directory);
    return bytes;
  } finally {
    rmSync(temporary, { force: true });
  }
}

async function runGrab(launcher: FfmpegLauncher, request: GrabRequest, output: string): Promise<void> {
  const { camera, signal } = request;
  if (signal?.aborted === true) throw new PhotoGrabError(camera, 'the photo service is stopping');
  const run = await launcher
    .start({ name: `photo-${camera}`, args: photoArgs({ input: request.url, output }) })
    .catch((error: unknown) => {
      if (isCameraError(error)) throw new PhotoGrabError(camera, error.problem, error.problem);
      throw error;
    });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void run.stop(GRAB_STOP_GRACE_MS);
  }, request.timeoutMs);
  let aborted = false;
  const abort = (): void => {
    aborted = true;
    void run.stop(GRAB_STOP_GRACE_MS);
  };
  signal?.addEventListener('abort', abort);
  // A stop that came while ffmpeg was starting has no listener to reach: it is seen here.
  if (isAborted(signal)) abort();
  try {
    const exit = await run.exited;
    if (timedOut) throw new PhotoGrabError(camera, `no picture within ${request.timeoutMs} ms`);
    if (aborted) throw new PhotoGrabError(camera, 'the photo service is stopping');
    if (exit.code !== 0) throw failedRun(camera, exit, run.stderrTail());
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
}

/** A URL in one of ffmpeg's lines, up to the `: ` ffmpeg puts after it. */
const URL_IN_LINE = /\b[a-z][a-z0-9+.-]*:\/\/\S*?(?=:\s|\s|$)/gi;

/**
 * What ffmpeg's last lines say of a grab that exited with an error. The runner masked their
 * credentials; the URL itself is left out too (the reason goes to the county in the journal, and
 * a camera's address is the room's business).
 */
function failedRun(camera: string, exit: FfmpegExit, lines: readonly string[]): PhotoGrabError {
  const classified = classifyErrorLines(lines);
  const line = (classified?.line ?? lines.at(-1))?.replace(URL_IN_LINE, '<camera>');
  if (classified !== null) return new PhotoGrabError(camera, `${classified.problem}: ${line}`, classified.problem);
  const how = exit.code === null ? `was ended by ${exit.signal ?? 'a signal'}` : `exited with code ${exit.code}`;
  return new PhotoGrabError(camera, line === undefined ? `ffmpeg ${how}` : `ffmpeg ${how}: ${line}`);
}

/** The size of the JPEG ffmpeg wrote; throws when there is none (ffmpeg can exit 0 without a frame). */
function checkJpeg(camera: string, path: string): number {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new PhotoGrabError(camera, 'ffmpeg wrote no picture');
  }
  const head = Buffer.alloc(JPEG_MAGIC.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (size <= JPEG_MAGIC.length || !head.equals(JPEG_MAGIC)) throw new PhotoGrabError(camera, 'ffmpeg wrote no JPEG');
  return size;
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Read afresh after an await (a stop may have come meanwhile), where a property read would stay narrowed. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
