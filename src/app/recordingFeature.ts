import { join } from 'node:path';
import { createProbe } from '../cameras/ffmpeg/probe.js';
import { FfmpegRunner } from '../cameras/ffmpeg/runner.js';
import { RecordingService, type RecordingRoom } from '../cameras/recording/recordingService.js';
import { createSegmentTools } from '../cameras/recording/segmentTools.js';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../daemon/bus.js';
import type { Logger } from '../log.js';
import { measureFreeSpace, type StorageMonitor } from '../store/storageMonitor.js';
import type { RoomForRecording } from '../cameras/recording/pruner.js';
import type { Core } from './core.js';

/**
 * Whether recordings may be written: not on a read-only or full card, and not when free space is
 * below the journal's reserve and the media's own margin together, once the pruner has deleted
 * what it may: recording stops well before a sign-in could find the card full. The quota is the
 * pruner's business alone: it never cuts the meeting being recorded.
 */
export function recordingRoom(config: Config, storage: StorageMonitor, pruner: RoomForRecording): RecordingRoom {
  const floor = config.storage.journalReserveBytes + config.media.minFreeBytes;
  // Without the byte count: the recorder notes a change of reason, and free space changes with every write.
  const short = `free space is below storage.journalReserveBytes + media.minFreeBytes (${floor} bytes)`;
  const freeBytes = (): number | undefined => measureFreeSpace(config.device.dataDir)?.freeBytes;
  return {
    refusal: () => {
      const { state } = storage.report();
      if (state === 'read-only' || state === 'disk-full') return storage.mediaRefusal();
      // Measured now, not at the storage monitor's last look: a prune just freed space, or a segment just took it.
      let free = freeBytes();
      if (free !== undefined && free < floor) {
        pruner.makeRoom();
        free = freeBytes();
      }
      if (free === undefined) return storage.mediaRefusal();
      return free < floor ? short : undefined;
    },
  };
}

/**
 * The meeting recordings of the cameras with `record: true` (the default); undefined without
 * one. Their ffmpeg runs keep their pid files in `run/record`: ending a push's leftovers never
 * ends a recording, nor the other way round.
 */
export function buildRecordings(
  core: Core,
  config: Config,
  bus: EventBus,
  logger: Logger,
  room: RecordingRoom,
): RecordingService | undefined {
  const cameras = config.cameras.filter((camera) => camera.record);
  if (cameras.length === 0) return undefined;
  const log = logger.child({ service: 'recordings' });
  const runDir = join(config.device.dataDir, 'run', 'record');
  const runner = new FfmpegRunner({ ffmpegPath: config.media.ffmpegPath, runDir, logger: log });
  return new RecordingService({
    cameras: cameras.map((camera) => ({
      name: camera.name,
      purpose: 'record',
      inputUrl: camera.url,
      stallTimeoutSeconds: camera.stallTimeoutSeconds,
      maxRestartsPerMinute: camera.maxRestartsPerMinute,
    })),
    dataDir: config.device.dataDir,
    segmentSeconds: config.media.recordingSegmentSeconds,
    launcher: runner,
    probe: createProbe({
      ffprobePath: config.media.ffprobePath,
      runDir,
      timeoutSeconds: config.media.probeTimeoutSeconds,
      logger: log,
    }),
    segmentTools: createSegmentTools({
      ffmpegPath: config.media.ffmpegPath,
      ffprobePath: config.media.ffprobePath,
      runDir,
      logger: log,
    }),
    endLeftovers: () => runner.endLeftovers(),
    activities: core.activities,
    journal: core.journal,
    clock: core.clock,
    room,
    bus,
    logger: log,
  });
}
