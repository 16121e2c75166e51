import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jsonPayload } from '../journal/payload.js';
import type { JournalTransaction, JsonValue } from '../journal/types.js';
import type { Logger } from '../log.js';
import type { StorageGuard } from '../store/storageGuard.js';
import { grabJpeg, PhotoGrabError } from './photoGrab.js';
import { appendPhoto, type PhotoOwner, type PhotoReason, type TakenPhoto } from './photoJournal.js';
import type { CameraProblem, FfmpegLauncher } from './types.js';

/** What the upload queue returns for a queued file. */
export interface QueuedPhoto {
  fileId: string;
  size: number;
  sha256: string;
}

/**
 * The upload queue as the photos need it (the county sync's FileQueue, handed in by the daemon):
 * it hashes the file, and runs `alongside` in the transaction that queues it.
 */
export interface PhotoQueue {
  enqueue(
    request: { path: string; name: string; kind: string; meta: Record<string, JsonValue> },
    alongside: (tx: JournalTransaction, queued: QueuedPhoto) => void,
  ): Promise<QueuedPhoto>;
}

export interface PhotoCaptureOptions {
  launcher: FfmpegLauncher;
  queue: PhotoQueue;
  /** Photos go under `<dataDir>/media/photos/<UTC day>/`. */
  dataDir: string;
  logger: Logger;
  /** Grabs per photo before it is given up (a camera rebooting, a dropped RTSP session). Default 3. */
  attempts?: number | undefined;
  /** Wait before the second grab; doubled before each further one. Default 2 s. */
  retryDelayMs?: number | undefined;
  /** A grab with no picture by then is stopped. Default 20 s: ffmpeg's own RTSP timeout is 10 s. */
  grabTimeoutMs?: number | undefined;
  /** Wall time for file names; the journal entry carries the authoritative time. */
  now?: () => number;
  /** Asked before every photo: storage below its reserve keeps its space for the journal. Default: always allowed. */
  storage?: StorageGuard | undefined;
}

/** Problems another grab a few seconds later cannot solve: a wrong password or path, no ffmpeg. */
const LASTING: ReadonlySet<CameraProblem> = new Set(['auth-failed', 'not-found', 'bad-url', 'ffmpeg-missing']);

/** Files of the county's photo kind are what the county board shows on a room's tile. */
const PHOTO_KIND = 'photo';

/**
 * Takes a photo and hands it to the county: grabbed from a camera (retried a few times), written
 * whole under the data directory, then queued for upload with its `camera.photo` journal entry in
 * one transaction. One grab at a time: a second RTSP session on a weak camera slows both.
 */
export class PhotoCapture {
  private queueTail: Promise<unknown> = Promise.resolve();
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly grabTimeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: PhotoCaptureOptions) {
    this.attempts = options.attempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 2_000;
    this.grabTimeoutMs = options.grabTimeoutMs ?? 20_000;
    this.now = options.now ?? Date.now;
  }

  /** Throws PhotoGrabError when every grab failed (nothing is journaled then: the caller decides). */
  capture(url: string, owner: PhotoOwner, reason: PhotoReason, signal?: AbortSignal): Promise<TakenPhoto> {
    const run = this.queueTail.then(() => this.captureNow(url, owner, reason, signal));
    this.queueTail = run.catch(() => undefined);
    return run;
  }

  private async captureNow(
    url: string,
    owner: PhotoOwner,
    reason: PhotoReason,
    signal: AbortSignal | undefined,
  ): Promise<TakenPhoto> {
    const refusal = this.options.storage?.mediaRefusal();
    if (refusal !== undefined) throw new PhotoGrabError(owner.camera, refusal);
    const path = this.photoPath(owner);
    await this.grabWithRetries(url, owner.camera, path, signal);
    const meta = jsonPayload({ ...owner, reason }) as Record<string, JsonValue>;
    let taken: TakenPhoto | undefined;
    try {
      await this.options.queue.enqueue({ path, name: basename(path), kind: PHOTO_KIND, meta }, (tx, queued) => {
        taken = { fileId: queued.fileId, sha256: queued.sha256, bytes: queued.size };
        appendPhoto(tx, owner, reason, taken);
      });
    } catch (error) {
      // Neither the entry nor the upload was written: a picture nobody knows of is not kept.
      rmSync(path, { force: true });
      throw error;
    }
    const photo = taken as TakenPhoto;
    this.options.logger.info({ ...owner, reason, fileId: photo.fileId, bytes: photo.bytes }, 'photo taken');
    return photo;
  }

  private async grabWithRetries(url: string, camera: string, target: string, signal?: AbortSignal): Promise<void> {
    let delayMs = this.retryDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await grabJpeg(this.options.launcher, {
          camera,
          url,
          target,
          timeoutMs: this.grabTimeoutMs,
          signal,
        });
        return;
      } catch (error) {
        if (!(error instanceof PhotoGrabError) || attempt >= this.attempts || signal?.aborted === true) throw error;
        if (error.problem !== undefined && LASTING.has(error.problem)) throw error;
        this.options.logger.warn({ camera, attempt, reason: error.reason }, 'photo grab failed; trying again');
        await sleep(delayMs, undefined, { signal }).catch(() => undefined);
        delayMs *= 2;
      }
    }
  }

  /** Unique without a lookup: two photos of one millisecond differ in their random part. */
  private photoPath(owner: PhotoOwner): string {
    const stamp = new Date(this.now()).toISOString();
    const day = stamp.slice(0, 10);
    const time = stamp.slice(11, 23).replace(/[:.]/g, '');
    const slot = owner.slot === undefined ? '' : `-slot${owner.slot}`;
    const name = `${day}T${time}Z-${owner.camera}${slot}-${randomBytes(3).toString('hex')}.jpg`;
    return join(this.options.dataDir, 'media', 'photos', day, name);
  }
}
