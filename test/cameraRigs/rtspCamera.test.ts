import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CLIP_FPS, CLIP_FRAMES } from '../../src/demo/cameraClips.js';
import {
  MAIN_SIZE,
  startRtspCamera,
  SUB_SIZE,
  type CameraVariant,
  type RtspCamera,
} from '../../src/demo/rtspCamera.js';

/**
 * The test camera the camera tests run against: what a client sees through it with and without
 * the right password, a clip looped into one stream whose timestamps keep rising, little CPU, and
 * the same URL serving again after the camera was killed.
 */
const run = promisify(execFile);

async function camera(variant: CameraVariant, password = 'pa:ss@word'): Promise<RtspCamera> {
  const started = await startRtspCamera({ variant, user: 'admin', password });
  onTestFinished(() => started.stop());
  return started;
}

interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
}

/** `timeoutS`: how long ffprobe waits on a silent socket. */
async function probe(url: string, timeoutS = 10): Promise<ProbedStream[]> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-rtsp_transport', 'tcp', '-timeout', `${timeoutS}000000`, '-show_streams', '-of', 'json', url],
    { timeout: 30_000 },
  );
  return (JSON.parse(stdout) as { streams: ProbedStream[] }).streams;
}

/** ffprobe's stderr when it fails (it exits 1). */
async function probeError(url: string, timeoutS?: number): Promise<string> {
  try {
    await probe(url, timeoutS);
  } catch (error) {
    return (error as { stderr: string }).stderr;
  }
  throw new Error(`ffprobe read ${url}`);
}

describe('the test camera', () => {
  it.each([
    ['h264', 'h264', null],
    ['h264-pcma', 'h264', 'pcm_alaw'],
    ['h265', 'hevc', null],
  ] as const)(
    '%s: ffprobe with the password sees %s main and sub-streams and audio %s',
    async (variant, video, audio) => {
      const rig = await camera(variant);
      const [main, sub] = await Promise.all([probe(rig.url), probe(rig.subUrl)]);
      for (const [streams, size] of [
        [main, MAIN_SIZE],
        [sub, SUB_SIZE],
      ] as const) {
        expect(streams.find((stream) => stream.codec_type === 'video')).toMatchObject({ codec_name: video, ...size });
        const sound = streams.find((stream) => stream.codec_type === 'audio');
        if (audio === null) expect(sound).toBeUndefined();
        else expect(sound).toMatchObject({ codec_name: audio, sample_rate: '8000' });
      }
      expect(rig.clients()).toBeGreaterThanOrEqual(2);
    },
  );

  it('answers a wrong password and a missing one with 401, and an unknown path with 404', async () => {
    const rig = await camera('h264', 'right');
    expect(await probeError(rig.url.replace(':right@', ':wrong@'))).toMatch(/401 Unauthorized/);
    expect(await probeError(rig.urlWithoutCredentials)).toMatch(/401 Unauthorized/);
    expect(await probeError(rig.url.replace('/main', '/nothing'))).toMatch(/404 Not Found/);
  });

  it('loops its clip into one stream whose timestamps keep rising, at the clip rate, for little CPU', async () => {
    const rig = await camera('h264');
    const frames = CLIP_FRAMES + 2 * CLIP_FPS;
    const cpuBefore = rig.cpuSeconds();
    const started = performance.now();
    const { stdout } = await run(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-rtsp_transport', 'tcp', '-timeout', '10000000'],
        ...['-i', rig.url, '-map', '0:v:0', '-c', 'copy', '-frames:v', String(frames), '-f', 'framemd5', '-'],
      ],
      { timeout: 60_000 },
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = (rig.cpuSeconds() - cpuBefore) / seconds;
    // framemd5 lines: stream, dts, pts, duration, size, hash.
    const pts = stdout
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => Number(line.split(',')[2]));
    expect(pts).toHaveLength(frames);
    // ffmpeg stamps the first packet of a GStreamer RTSP session like the second (observed, on the
    // first packet only); from there on each frame, across the clip's end, comes later than the last.
    expect(pts[1]).toBeGreaterThanOrEqual(pts[0]!);
    pts.slice(2).forEach((value, index) => expect(value).toBeGreaterThan(pts[index + 1]!));
    // Paced like a camera: a stream sent as fast as the loopback allows would arrive in a moment.
    expect(seconds).toBeGreaterThan((frames / CLIP_FPS) * 0.8);
    console.info(`test camera: ${(cpu * 100).toFixed(1)} % of a core while serving one client`);
    // The looped clip costs about 2 % of a core on a two-core test machine; encoding the same
    // picture live (libx264 veryfast, 640×360) costs about 11 %, a 1080p one most of a core.
    expect(cpu).toBeLessThan(0.08);
  });

  it('refuses connections once killed and serves again on the same URL when started', async () => {
    const rig = await camera('h264');
    await rig.kill();
    expect(rig.pid()).toBeNull();
    expect(await probeError(rig.url)).toMatch(/Connection refused/);
    await rig.start();
    expect(await probe(rig.url)).toContainEqual(expect.objectContaining({ codec_name: 'h264', ...MAIN_SIZE }));
  });

  it('keeps a connection open and answers nothing while paused, and serves again once resumed', async () => {
    const rig = await camera('h264');
    rig.pause();
    const started = performance.now();
    const error = await probeError(rig.url, 2);
    expect(performance.now() - started).toBeGreaterThan(1_500);
    expect(error).not.toMatch(/Connection refused/);
    rig.resume();
    expect(await probe(rig.url)).toContainEqual(expect.objectContaining({ codec_name: 'h264', ...MAIN_SIZE }));
  });
});
