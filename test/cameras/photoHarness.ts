import { writeFileSync } from 'node:fs';
import { ActivityStore } from '../../src/activities/store.js';
import { PhotoCapture, type PhotoQueue } from '../../src/cameras/photoCapture.js';
import { MeetingPhotoService } from '../../src/cameras/photos.js';
import type { FfmpegExit, FfmpegLauncher, FfmpegRun, FfmpegSpec } from '../../src/cameras/types.js';
import { EventBus } from '../../src/daemon/bus.js';
import { setLanguage } from '../../src/i18n.js';
import { Journal } from '../../src/journal/journal.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { createSilentLogger } from '../../src/log.js';
import type { StorageGuard } from '../../src/store/storageGuard.js';
import { FileQueue } from '../../src/sync/files/fileQueue.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';

/** A camera URL with a password nothing may ever show. */
export const CANARY = 'Canary-Pw-9d41';
export const CAMERA_URL = `rtsp://admin:${CANARY}@192.0.2.10:554/Streaming/Channels/101`;

/** The smallest JPEG a check for SOI accepts, with bytes that differ per grab (so each sha256 differs). */
function jpegBytes(grab: number): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`grab ${grab}`), Buffer.from([0xff, 0xd9])]);
}

/**
 * A launcher standing in for ffmpeg: each start "grabs" by writing a JPEG to the output (the last
 * argument), or, while the camera is down, exits 1 with the line ffmpeg prints for a refused
 * connection (the URL masked, as the runner keeps it).
 */
export class FakeCamera implements FfmpegLauncher {
  down = false;
  /** What ffmpeg says while the camera is down. */
  downLine = 'rtsp://admin:***@192.0.2.10:554/Streaming/Channels/101: Connection refused';
  readonly starts: FfmpegSpec[] = [];

  start(spec: FfmpegSpec): Promise<FfmpegRun> {
    this.starts.push(spec);
    const output = spec.args.at(-1)!;
    let exit: FfmpegExit = { code: 0, signal: null };
    const stderr: string[] = [];
    if (this.down) {
      exit = { code: 1, signal: null };
      stderr.push(this.downLine);
    } else {
      writeFileSync(output, jpegBytes(this.starts.length));
    }
    return Promise.resolve({
      pid: 4242,
      exited: Promise.resolve(exit),
      onProgress: () => {},
      stderrTail: () => stderr,
      stop: () => Promise.resolve(exit),
    });
  }
}

export interface HarnessOptions {
  /** Wraps the real FileQueue, e.g. to fail inside its transaction. */
  queue?: (real: FileQueue) => PhotoQueue;
  intervalMinutes?: number;
  /** What the photos ask before writing (default: always allowed). */
  storage?: StorageGuard;
}

/** A real journal, activity store and upload queue in a temp dir, a hand-moved clock, a fake camera. */
export function photoHarness(options: HarnessOptions = {}) {
  setLanguage('en');
  const temp = makeTempDir();
  const clock = new FakeClock();
  const bus = new EventBus();
  const camera = new FakeCamera();
  let journal = Journal.open({ dataDir: temp.dir, access: 'create', clock, logger: createSilentLogger(), bus });
  let activities = new ActivityStore(journal, bus);

  const newService = (): MeetingPhotoService => {
    const real = new FileQueue(journal);
    const capture = new PhotoCapture({
      launcher: camera,
      queue: options.queue?.(real) ?? real,
      dataDir: temp.dir,
      logger: createSilentLogger(),
      retryDelayMs: 5,
      now: () => clock.wallMs,
      storage: options.storage,
    });
    return new MeetingPhotoService({
      photoCamera: { name: 'hall', url: CAMERA_URL },
      cameraUrls: new Map([
        ['hall', CAMERA_URL],
        ['door', 'rtsp://192.0.2.11/main'],
      ]),
      intervalMinutes: options.intervalMinutes ?? 20,
      capture,
      endLeftovers: () => Promise.resolve([]),
      activities,
      journal,
      clock,
      bus,
      logger: createSilentLogger(),
    });
  };

  const harness = {
    dir: temp.dir,
    clock,
    bus,
    camera,
    service: newService(),
    get journal() {
      return journal;
    },
    get activities() {
      return activities;
    },
    entries(type: string): JournalEntry[] {
      return journal.read(0, 10_000).filter((entry) => entry.type === type);
    },
    /** The agent stops and starts again on the same data directory (a restart or a reboot). */
    async restart(whileDown: () => void = () => {}): Promise<void> {
      await harness.service.stop();
      journal.close();
      whileDown();
      journal = Journal.open({ dataDir: temp.dir, access: 'create', clock, logger: createSilentLogger(), bus });
      activities = new ActivityStore(journal, bus);
      harness.service = newService();
      await harness.service.start();
    },
    async close(): Promise<void> {
      await harness.service.stop();
      journal.close();
      temp.cleanup();
    },
  };
  return harness;
}

export type PhotoHarness = ReturnType<typeof photoHarness>;
