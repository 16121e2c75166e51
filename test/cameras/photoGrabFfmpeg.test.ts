import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FfmpegRunner } from '../../src/cameras/ffmpeg/runner.js';
import { PhotoCapture } from '../../src/cameras/photoCapture.js';
import { ErrorCode } from '../../src/errors.js';
import { setLanguage } from '../../src/i18n.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { FileQueue } from '../../src/sync/files/fileQueue.js';
import { recentUploads } from '../../src/sync/files/uploadRows.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';

let temp: ReturnType<typeof makeTempDir>;
let journal: Journal;
let capture: PhotoCapture;

beforeEach(() => {
  setLanguage('en');
  temp = makeTempDir();
  journal = Journal.open({ dataDir: temp.dir, access: 'create', clock: new FakeClock(), logger: createSilentLogger() });
  capture = new PhotoCapture({
    launcher: new FfmpegRunner({ ffmpegPath: 'ffmpeg', runDir: join(temp.dir, 'run') }),
    queue: new FileQueue(journal),
    dataDir: temp.dir,
    logger: createSilentLogger(),
    attempts: 2,
    retryDelayMs: 10,
  });
});

afterEach(() => {
  journal.close();
  temp.cleanup();
});

/** Two seconds of H.264 at 320×240, as a camera's main stream would carry it (small, so generating it is cheap). */
function clip(): string {
  const path = join(temp.dir, 'camera.mkv');
  const lavfi = 'testsrc=size=320x240:rate=25:duration=2';
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', lavfi, '-c:v', 'libx264', '-preset', 'ultrafast', path]);
  return path;
}

/**
 * The daemon's stop deadline is 5 s and the pushes' stops take up to 3 s of it: a grab stopped by
 * the service's stop must be gone well within the rest, on a loaded machine too.
 */
const GRAB_STOP_BOUND_MS = 2_500;

function probe(path: string): { codec_name: string; width: number; height: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-of', 'json', '-show_streams', path], { encoding: 'utf8' });
  return (JSON.parse(out) as { streams: Array<{ codec_name: string; width: number; height: number }> }).streams[0]!;
}

describe('a photo grabbed by the real ffmpeg', () => {
  it('is a JPEG of the camera picture, journaled and queued with the checksum of the file on disk', async () => {
    const photo = await capture.capture(clip(), { camera: 'hall' }, 'command');
    const [upload] = recentUploads(journal.db, 10);
    expect(upload).toMatchObject({ fileId: photo.fileId, kind: 'photo', sha256: photo.sha256, size: photo.bytes });
    const bytes = readFileSync(upload!.path);
    expect(bytes.length).toBe(photo.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(photo.sha256);
    expect(probe(upload!.path)).toMatchObject({ codec_name: 'mjpeg', width: 320, height: 240 });
    const entry = journal.read(0, 100).find((candidate) => candidate.type === 'camera.photo');
    expect(entry?.payload).toEqual({ camera: 'hall', reason: 'command', ...photo });
    // Only the photo is left in its folder: the temporary file was renamed, not copied.
    const day = readdirSync(join(temp.dir, 'media', 'photos'));
    expect(readdirSync(join(temp.dir, 'media', 'photos', day[0]!))).toEqual([upload!.name]);
  });

  it('fails with CameraPhotoFailed, the problem classified from ffmpeg, when the camera gives nothing', async () => {
    const missing = join(temp.dir, 'no-such-camera.mkv');
    await expect(capture.capture(missing, { camera: 'hall' }, 'command')).rejects.toMatchObject({
      code: ErrorCode.CameraPhotoFailed,
      problem: 'bad-url',
    });
    expect(journal.read(0, 100).map((entry) => entry.type)).not.toContain('camera.photo');
    expect(recentUploads(journal.db, 10)).toEqual([]);
  });

  it('is ended within a moment when the photo service stops during a grab of a camera that answers nothing', async () => {
    // A camera that hangs: the connection is accepted, the RTSP request never answered.
    const sockets: Socket[] = [];
    const camera = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await once(camera, 'listening');
    try {
      const { port } = camera.address() as AddressInfo;
      const stopping = new AbortController();
      const grab = capture.capture(`rtsp://127.0.0.1:${port}/main`, { camera: 'hall' }, 'schedule', stopping.signal);
      const failed = expect(grab).rejects.toMatchObject({ code: ErrorCode.CameraPhotoFailed });
      await once(camera, 'connection');
      const stoppedAt = performance.now();
      stopping.abort();
      await failed;
      expect(performance.now() - stoppedAt).toBeLessThan(GRAB_STOP_BOUND_MS);
    } finally {
      for (const socket of sockets) socket.destroy();
      camera.close();
    }
  });
});
