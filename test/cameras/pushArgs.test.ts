import { describe, expect, it } from 'vitest';
import {
  photoArgs,
  probeArgs,
  pushArgs,
  pushTransport,
  RTMP_SEND_BUFFER_BYTES,
} from '../../src/cameras/ffmpeg/args.js';
import { isCameraError } from '../../src/cameras/errors.js';

const CAMERA = 'rtsp://admin:pw@192.168.1.64:554/Streaming/Channels/102';

/** The value following `flag` in `args` (each flag appears once in these lists). */
function valueOf(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}

describe('the push arguments', () => {
  const copy = pushArgs({ input: CAMERA, output: 'rtmp://media/live/room1', plan: { video: 'copy', audio: 'aac' } });

  it('read the camera over TCP with a socket timeout in microseconds, before the input', () => {
    expect(valueOf(copy, '-rtsp_transport')).toBe('tcp');
    expect(valueOf(copy, '-timeout')).toBe('10000000');
    expect(copy.indexOf('-timeout')).toBeLessThan(copy.indexOf('-i'));
    expect(valueOf(copy, '-i')).toBe(CAMERA);
  });

  it('copy the first video stream, map the first audio stream if any, and send G.711 as AAC 64k', () => {
    expect(copy.join(' ')).toContain('-map 0:v:0 -map 0:a:0? -c:v copy -c:a aac -b:a 64k');
  });

  it('write FLV to RTMP with an I/O timeout, progress on stdout and only warnings on stderr', () => {
    expect(copy.slice(-3)).toEqual(['-f', 'flv', 'rtmp://media/live/room1']);
    expect(valueOf(copy, '-rw_timeout')).toBe('10000000');
    expect(copy.indexOf('-rw_timeout')).toBeGreaterThan(copy.indexOf('-i'));
    expect(valueOf(copy, '-progress')).toBe('pipe:1');
    expect(valueOf(copy, '-loglevel')).toBe('warning');
    expect(copy).toContain('-nostats');
  });

  it('keep the RTMP socket send buffer small, so that a frozen server blocks the writes and the write timeout ends them', () => {
    expect(valueOf(copy, '-send_buffer_size')).toBe(String(RTMP_SEND_BUFFER_BYTES));
    expect(copy.indexOf('-send_buffer_size')).toBeGreaterThan(copy.indexOf('-i'));
  });

  it('write MPEG-TS to SRT', () => {
    const srt = pushArgs({
      input: CAMERA,
      output: 'srt://media:9000?streamid=x',
      plan: { video: 'copy', audio: 'copy' },
    });
    expect(srt.slice(-3)).toEqual(['-f', 'mpegts', 'srt://media:9000?streamid=x']);
    expect(srt.join(' ')).toContain('-c:a copy');
    expect(srt).not.toContain('-send_buffer_size');
  });

  it('leave audio out when there is none', () => {
    const silent = pushArgs({ input: CAMERA, output: 'rtmp://m/l/s', plan: { video: 'copy', audio: 'none' } });
    expect(silent).not.toContain('0:a:0?');
    expect(silent).toContain('-an');
  });

  it('transcode with libx264 veryfast at the bitrate given, a GOP of two seconds, yuv420p', () => {
    const args = pushArgs({
      input: CAMERA,
      output: 'rtmp://m/l/s',
      plan: { video: 'transcode', audio: 'copy' },
      transcode: { encoder: 'libx264', bitrateKbps: 800, fps: 15 },
      ioTimeoutSeconds: 5,
    });
    expect(valueOf(args, '-c:v')).toBe('libx264');
    expect(valueOf(args, '-preset')).toBe('veryfast');
    expect(valueOf(args, '-b:v')).toBe('800k');
    expect(valueOf(args, '-g')).toBe('30');
    expect(valueOf(args, '-pix_fmt')).toBe('yuv420p');
    expect(valueOf(args, '-timeout')).toBe('5000000');
  });

  it('transcode with the Pi 4 hardware encoder when asked', () => {
    const args = pushArgs({
      input: CAMERA,
      output: 'rtmp://m/l/s',
      plan: { video: 'transcode', audio: 'none' },
      transcode: { encoder: 'h264_v4l2m2m', bitrateKbps: 1000, fps: null },
    });
    expect(valueOf(args, '-c:v')).toBe('h264_v4l2m2m');
    expect(args).not.toContain('-preset');
    expect(valueOf(args, '-g')).toBe('50');
  });

  it('refuse an output that is no push URL', () => {
    expect(pushTransport('rtmps://m/l/s')).toBe('rtmp');
    for (const output of ['http://m/l/s', 'media/live/s']) {
      let thrown: unknown;
      try {
        pushArgs({ input: CAMERA, output, plan: { video: 'copy', audio: 'none' } });
      } catch (error) {
        thrown = error;
      }
      expect(isCameraError(thrown, 'bad-url'), output).toBe(true);
    }
  });
});

describe('the photo and probe arguments', () => {
  it('grab one JPEG fast: small probe size, half a second of analysis, over TCP', () => {
    const args = photoArgs({ input: CAMERA, output: '/tmp/x.jpg' });
    expect(args.join(' ')).toContain(
      '-probesize 32768 -analyzeduration 500000 -rtsp_transport tcp -timeout 10000000 -i',
    );
    expect(args.slice(-10)).toEqual([
      '-frames:v',
      '1',
      '-q:v',
      '3',
      '-f',
      'image2',
      '-update',
      '1',
      '-y',
      '/tmp/x.jpg',
    ]);
  });

  it('probe as JSON with error lines only', () => {
    const args = probeArgs(CAMERA, 4);
    expect(args.join(' ')).toContain('-loglevel error -rtsp_transport tcp -timeout 4000000 -i');
    expect(args.slice(-3)).toEqual(['-of', 'json', '-show_streams']);
  });

  it('leave a non-RTSP input without the RTSP options', () => {
    expect(probeArgs('/tmp/clip.mkv')).not.toContain('-rtsp_transport');
  });
});
