import { CameraError } from '../errors.js';
import type { PushPlan } from '../types.js';

/**
 * ffmpeg's and ffprobe's argument lists for a camera, built here and nowhere else. Pure: the
 * runner spawns them. The choices follow FFmpeg 5.1 (Debian 12, Raspberry Pi OS Bookworm).
 */

/** How long a camera or a media server may stay silent before ffmpeg gives up on it, unless the caller says. */
export const IO_TIMEOUT_SECONDS = 10;

/** The H.264 encoders a transcoding push can use: libx264 anywhere, the Pi 4's hardware encoder there. */
export type H264Encoder = 'libx264' | 'h264_v4l2m2m';

export interface TranscodeSettings {
  encoder: H264Encoder;
  /** The video bitrate to aim at: a room's 4G uplink carries about 1 Mbit/s reliably. */
  bitrateKbps: number;
  /** The camera's frame rate as probed: a keyframe every two seconds of it. */
  fps: number | null;
}

/** libx264 at about 1 Mbit/s: what a room's uplink carries, on the encoder every machine has. */
export const DEFAULT_TRANSCODE: TranscodeSettings = { encoder: 'libx264', bitrateKbps: 1_000, fps: null };

export interface PushArgsInput {
  /** The camera's stream (rtsp://…, with its credentials). */
  input: string;
  /** The media server's URL: rtmp://, rtmps:// (FLV) or srt:// (MPEG-TS). */
  output: string;
  plan: PushPlan;
  /** How `plan.video: transcode` encodes; DEFAULT_TRANSCODE unless given. */
  transcode?: TranscodeSettings | undefined;
  ioTimeoutSeconds?: number | undefined;
}

/** What every long-running ffmpeg says: error lines on stderr, progress blocks on stdout, no banner or status line. */
const QUIET_WITH_PROGRESS = ['-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1'];

/** The frame rate a GOP is counted in when the probe found none. */
const FALLBACK_FPS = 25;

/** The push of one camera to the county media server. */
export function pushArgs(push: PushArgsInput): string[] {
  const timeoutUs = microseconds(push.ioTimeoutSeconds);
  return [
    ...QUIET_WITH_PROGRESS,
    ...cameraInput(push.input, timeoutUs),
    '-map',
    '0:v:0',
    ...(push.plan.audio === 'none' ? [] : ['-map', '0:a:0?']),
    ...videoCodec(push.plan, push.transcode),
    ...audioCodec(push.plan),
    // A stalled server otherwise blocks ffmpeg's writes silently, with no error and no exit.
    '-rw_timeout',
    timeoutUs,
    ...outputFormat(push.output),
    push.output,
  ];
}

export interface RecordArgsInput {
  /** The camera's main stream (rtsp://…, with its credentials). */
  input: string;
  /** The segments' file pattern, `…/r0003-%05d.ts`: one prefix per run, so a restart never overwrites a segment. */
  segmentPattern: string;
  /** The CSV list ffmpeg appends `file,start,end` to as each segment closes. */
  listFile: string;
  segmentSeconds: number;
  /** How the camera's audio goes into MPEG-TS: copied (AAC), transcoded to AAC (G.711), or absent. */
  audio: PushPlan['audio'];
  ioTimeoutSeconds?: number | undefined;
}

/**
 * A meeting recording of one camera: its video copied (never re-encoded: a Pi records for hours
 * at the cost of a copy) into MPEG-TS segments, which stay playable up to their last whole packet
 * when the power goes. Segments are cut at the first key frame after `segmentSeconds`, keep the
 * run's continuous timestamps, and are listed in `listFile` only once closed: the agent learns
 * from that list, never from guessing, which segment is complete.
 */
export function recordArgs(record: RecordArgsInput): string[] {
  return [
    ...QUIET_WITH_PROGRESS,
    ...cameraInput(record.input, microseconds(record.ioTimeoutSeconds)),
    '-map',
    '0:v:0',
    ...(record.audio === 'none' ? [] : ['-map', '0:a:0?']),
    '-c:v',
    'copy',
    ...audioCodec({ video: 'copy', audio: record.audio }),
    '-f',
    'segment',
    '-segment_format',
    'mpegts',
    '-segment_time',
    String(record.segmentSeconds),
    '-reset_timestamps',
    '0',
    '-segment_list',
    record.listFile,
    '-segment_list_type',
    'csv',
    record.segmentPattern,
  ];
}

/**
 * ffmpeg decoding the first `length` bytes of a segment (the `subfile` protocol: nothing is cut
 * to look): a prefix that plays cleanly makes ffmpeg print nothing at `-v error`.
 */
export function segmentCheckArgs(path: string, length: number): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-i',
    `subfile,,start,0,end,${length},,:${path}`,
    '-f',
    'null',
    '-',
  ];
}

/** ffprobe printing a media file's duration in seconds, alone on stdout. */
export function durationArgs(path: string): string[] {
  return ['-hide_banner', '-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path];
}

export interface PhotoArgsInput {
  /** The camera's stream (rtsp://…, with its credentials). */
  input: string;
  /** The JPEG file to write. */
  output: string;
  ioTimeoutSeconds?: number | undefined;
}

/**
 * One JPEG from a camera, fast: a small probe size and a short analysis, so ffmpeg writes the
 * first frame it can decode instead of reading seconds of stream first (ffmpeg's defaults take
 * 3 s and more on a live camera). Half a second of analysis was measured faster than none: over
 * RTSP on loopback from a 640×360 H.264 stream with a keyframe every 2 s, the median of 12
 * interleaved grabs each took 1.36 s against 1.78 s with `-analyzeduration 0` and 1.69 s with 1 s.
 */
export function photoArgs(photo: PhotoArgsInput): string[] {
  return [
    '-hide_banner',
    // Errors only: the JPEG encoder's full-range pixel format draws a warning per scaler on every grab.
    '-loglevel',
    'error',
    '-nostats',
    '-probesize',
    '32768',
    '-analyzeduration',
    '500000',
    ...cameraInput(photo.input, microseconds(photo.ioTimeoutSeconds)),
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-q:v',
    '3',
    '-f',
    'image2',
    '-update',
    '1',
    '-y',
    photo.output,
  ];
}

/** ffprobe reading a camera's streams as JSON; error lines (and only those) on stderr. */
export function probeArgs(input: string, ioTimeoutSeconds?: number): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    ...cameraInput(input, microseconds(ioTimeoutSeconds)),
    '-of',
    'json',
    '-show_streams',
  ];
}

/**
 * RTSP over TCP (UDP loses packets on a busy LAN and cannot cross NAT) with a socket timeout:
 * without one ffmpeg was seen hanging 11 minutes after a camera vanished; with it, it exits
 * (code 0) once the camera has been silent that long. Other inputs (files, in tests) as they are.
 */
function cameraInput(input: string, timeoutUs: string): string[] {
  const rtsp = /^rtsps?:\/\//i.test(input);
  return [...(rtsp ? ['-rtsp_transport', 'tcp', '-timeout', timeoutUs] : []), '-i', input];
}

function videoCodec(plan: PushPlan, transcode: TranscodeSettings | undefined): string[] {
  if (plan.video === 'copy') return ['-c:v', 'copy'];
  const settings = transcode ?? DEFAULT_TRANSCODE;
  const gop = String(Math.round(2 * (settings.fps ?? FALLBACK_FPS)));
  const rate = `${settings.bitrateKbps}k`;
  const encoder =
    settings.encoder === 'libx264' ? ['libx264', '-preset', 'veryfast', '-tune', 'zerolatency'] : [settings.encoder];
  return [
    '-c:v',
    ...encoder,
    '-b:v',
    rate,
    '-maxrate',
    rate,
    '-bufsize',
    `${2 * settings.bitrateKbps}k`,
    '-g',
    gop,
    '-pix_fmt',
    'yuv420p',
  ];
}

function audioCodec(plan: PushPlan): string[] {
  switch (plan.audio) {
    case 'copy':
      return ['-c:a', 'copy'];
    case 'aac':
      return ['-c:a', 'aac', '-b:a', '64k'];
    case 'none':
      return ['-an'];
  }
}

/** How a push reaches the media server: RTMP (FLV inside) or SRT (MPEG-TS inside). */
export type PushTransport = 'rtmp' | 'srt';

/** The transport a push URL names; any scheme but rtmp://, rtmps:// and srt:// is no push URL. */
export function pushTransport(output: string): PushTransport {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(output)?.[1]?.toLowerCase();
  if (scheme === 'rtmp' || scheme === 'rtmps') return 'rtmp';
  if (scheme === 'srt') return 'srt';
  throw new CameraError('bad-url', undefined, { scheme: scheme ?? null });
}

/**
 * The socket send buffer of an RTMP push (the kernel doubles it). Linux otherwise grows a TCP
 * send buffer to megabytes: with the media server frozen (SIGSTOP) on loopback, ffmpeg went on
 * writing a 300 kbit/s stream and counting its frames for over 40 s, so the push looked live and
 * neither the write timeout nor the stall watchdog could see the silent server; with 32 KiB it
 * blocked within 5 s and the write timeout ended it 10 s later. 64 KiB still carries about
 * 5 Mbit/s over a 4G uplink's 200 ms round trip, several times a room's push.
 */
export const RTMP_SEND_BUFFER_BYTES = 65_536;

function outputFormat(output: string): string[] {
  if (pushTransport(output) === 'srt') return ['-f', 'mpegts'];
  return [
    '-send_buffer_size',
    String(RTMP_SEND_BUFFER_BYTES),
    // A live FLV has no duration or size to write back, and ffmpeg would warn at every end that it could not.
    '-flvflags',
    'no_duration_filesize',
    '-f',
    'flv',
  ];
}

function microseconds(seconds = IO_TIMEOUT_SECONDS): string {
  return String(Math.round(seconds * 1_000_000));
}
