import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { fsyncDirectory, mkdirDurable } from '../util/durableDir.js';
import type { FfmpegLauncher } from './types.js';

const text = defineMessages({
  failed: {
    zh: '摄像头 {camera} 未能拍照：{reason}',
    en: 'camera {camera} took no photo: {reason}',
  },
});

/** A JPEG starts with SOI (FF D8): anything else is not a picture, whatever ffmpeg's exit code said. */
const JPEG_MAGIC = Buffer.from([0xff, 0xd8]);

/** Photo folders hold members' meeting pictures: the agent's user and group only. */
const PHOTO_DIR_MODE = 0o750;

export interface GrabRequest {
  /** Names the ffmpeg run (its pid file and log lines) and the error. */
  camera: string;
  /** The camera's main stream: photos want full quality. */
  url: string;
  /** Where the JPEG ends up; it appears there whole or not at all. */
  target: string;
  /** The fast-grab argument list writing one JPEG to `output`. */
  args: (url: string, output: string) => string[];
  /** A camera that gives no picture in this time is given up on (the run is stopped). */
  timeoutMs: number;
  /** Stops the grab early (the service is stopping). */
  signal?: AbortSignal | undefined;
}

/**
 * A failed grab. `reason` is an English line for the journal and the log, built from ffmpeg's
 * masked stderr and never from the URL; the message is in the reader's language.
 */
export class PhotoGrabError extends AgentError {
  constructor(
    camera: string,
    readonly reason: string,
  ) {
    super(ErrorCode.CameraPhotoFailed, text('failed', { camera, reason }), { camera, reason });
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
  const run = await launcher.start({ name: `photo-${camera}`, args: request.args(request.url, output) });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void run.stop();
  }, request.timeoutMs);
  let aborted = false;
  const abort = (): void => {
    aborted = true;
    void run.stop();
  };
  signal?.addEventListener('abort', abort);
  try {
    const exit = await run.exited;
    if (timedOut) throw new PhotoGrabError(camera, `no picture within ${request.timeoutMs} ms`);
    if (aborted) throw new PhotoGrabError(camera, 'the photo service is stopping');
    if (exit.code !== 0) {
      const last = run.stderrTail().at(-1);
      const how = exit.code === null ? `was ended by ${exit.signal ?? 'a signal'}` : `exited with code ${exit.code}`;
      throw new PhotoGrabError(camera, last === undefined ? `ffmpeg ${how}` : `ffmpeg ${how}: ${last}`);
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
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
