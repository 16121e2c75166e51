import { execFileSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCameraError } from '../../src/cameras/errors.js';
import { pushTransport } from '../../src/cameras/ffmpeg/args.js';
import { planPush } from '../../src/cameras/ffmpeg/plan.js';
import { createProbe, parseProbe } from '../../src/cameras/ffmpeg/probe.js';
import type { CameraProblem, CameraProbe } from '../../src/cameras/types.js';
import { makeTempDir } from '../helpers/cli.js';
import { until } from '../helpers/syncScenario.js';

let temp: { dir: string; cleanup: () => void };
let probe: CameraProbe;
const clips: Record<'g711' | 'h265' | 'silent', string> = { g711: '', h265: '', silent: '' };

/** One second of a small test picture, encoded as a camera would send it. */
function makeClip(name: string, video: string[], audio: string[]): string {
  const path = join(temp.dir, name);
  const sine = audio.length > 0 ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000'] : [];
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', ...sine],
    ...['-t', '1', ...video, ...audio, path],
  ]);
  return path;
}

async function problemOf(run: Promise<unknown>): Promise<CameraProblem | undefined> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return isCameraError(error) ? error.problem : undefined;
}

beforeAll(() => {
  temp = makeTempDir('room-agent-probe-');
  probe = createProbe({ ffprobePath: 'ffprobe', runDir: join(temp.dir, 'run'), timeoutSeconds: 10 });
  clips.g711 = makeClip('g711.mkv', ['-c:v', 'libx264', '-preset', 'ultrafast'], ['-c:a', 'pcm_alaw', '-ac', '1']);
  clips.h265 = makeClip('h265.mkv', ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=none'], []);
  clips.silent = makeClip('silent.mp4', ['-c:v', 'libx264', '-preset', 'ultrafast'], []);
});

afterAll(() => temp.cleanup());

describe('probing a camera with ffprobe', () => {
  it('reads H.264 with G.711 audio, and plans a copy with the audio as AAC', async () => {
    const probed = await probe(clips.g711);
    expect(probed.video).toMatchObject({ codec: 'h264', width: 320, height: 240, fps: 25 });
    expect(probed.video?.profile).toBeTypeOf('string');
    expect(probed.audio).toEqual({ codec: 'pcm_alaw', sampleRate: 8000, channels: 1 });
    expect(planPush(probed, { transcode: false, transport: 'rtmp' })).toEqual({ video: 'copy', audio: 'aac' });
  });

  it('reads H.265, which an RTMP push refuses unless transcoding', async () => {
    const probed = await probe(clips.h265);
    expect(probed.video?.codec).toBe('hevc');
    expect(probed.audio).toBeNull();
    const settings = { transcode: false, transport: pushTransport('rtmp://media/live/room1') };
    expect(await problemOf(new Promise((resolve) => resolve(planPush(probed, settings))))).toBe('h265-over-rtmp');
  });

  it('reads a stream without audio', async () => {
    const probed = await probe(clips.silent);
    expect(probed.video).toMatchObject({ codec: 'h264', width: 320, height: 240, fps: 25 });
    expect(probed.audio).toBeNull();
    expect(planPush(probed, { transcode: false, transport: 'rtmp' })).toEqual({ video: 'copy', audio: 'none' });
  });

  it('names an unreachable camera', async () => {
    expect(await problemOf(probe('rtsp://admin:pw@127.0.0.1:1/Streaming/Channels/101'))).toBe('unreachable');
  });

  describe('a camera that accepts the connection and never answers', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    });

    it('is a timeout, within the probe timeout and a margin', async () => {
      const { port } = silent.address() as { port: number };
      const quick = createProbe({ ffprobePath: 'ffprobe', runDir: join(temp.dir, 'run'), timeoutSeconds: 1 });
      const started = Date.now();
      expect(await problemOf(quick(`rtsp://127.0.0.1:${port}/x`))).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('is ended when its signal aborts, long before its timeout, leaving no ffprobe', async () => {
      const { port } = silent.address() as { port: number };
      const runDir = join(temp.dir, 'run-aborted');
      const patient = createProbe({ ffprobePath: 'ffprobe', runDir, timeoutSeconds: 60 });
      const abort = new AbortController();
      const probing = patient(`rtsp://127.0.0.1:${port}/x`, abort.signal);
      // ffprobe runs (its pid file is there) and waits on the silent camera.
      await until(
        () => existsSync(runDir) && readdirSync(runDir).some((file) => file.endsWith('.pid')),
        10_000,
        () => 'ffprobe running',
      );
      const abortedAt = Date.now();
      abort.abort(new Error('the push was stopped'));
      await expect(probing).rejects.toThrow('the push was stopped');
      expect(Date.now() - abortedAt).toBeLessThan(5_000);
      expect(readdirSync(runDir).filter((file) => file.endsWith('.pid'))).toEqual([]);
      await expect(patient(`rtsp://127.0.0.1:${port}/x`, abort.signal)).rejects.toThrow('the push was stopped');
    });
  });

  it('names a missing ffprobe', async () => {
    const missing = createProbe({ ffprobePath: join(temp.dir, 'ffprobe'), runDir: temp.dir, timeoutSeconds: 1 });
    expect(await problemOf(missing(clips.silent))).toBe('ffmpeg-missing');
  });
});

describe('reading the frame rate ffprobe reports', () => {
  const stream = (avg: string, base: string): string =>
    JSON.stringify({
      streams: [
        { codec_type: 'video', codec_name: 'h264', width: 640, height: 360, avg_frame_rate: avg, r_frame_rate: base },
      ],
    });

  it('takes the average rate, else the base rate, and no timebase for a rate', () => {
    expect(parseProbe(stream('25/1', '50/1')).video?.fps).toBe(25);
    expect(parseProbe(stream('0/0', '30000/1001')).video?.fps).toBe(29.97);
    // An RTSP camera with an unknown average reports its 90 kHz clock as the base rate.
    expect(parseProbe(stream('0/0', '90000/1')).video?.fps).toBeNull();
  });
});
