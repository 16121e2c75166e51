/**
 * The short pre-encoded clips the camera emulator loops (drivers/camera/emulator/), made with
 * ffmpeg once and cached in the temp directory under a name derived from the exact command line
 * and ffmpeg's version, so a change of either makes a new clip. Imports only node:*.
 *
 * What the camera needs of a clip: raw Annex B, an access unit delimiter before every frame (the
 * camera splits the clip there), parameter sets before every key frame (a client may join at any
 * of them), a key frame every second like a camera's GOP, and no B-frames, so that each frame's
 * presentation time is its decoding time and the camera can stamp it with one clock. Every frame
 * of testsrc2 differs from the others, so a frame's hash says where in the clip it is.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type ClipCodec = 'h264' | 'h265';

export interface ClipSpec {
  codec: ClipCodec;
  width: number;
  height: number;
}

export const CLIP_FPS = 25;
/** Not a divisor of the half minute a one-minute meeting's photos are apart: each shows another picture. */
export const CLIP_SECONDS = 7;
export const CLIP_FRAMES = CLIP_FPS * CLIP_SECONDS;

const CACHE_DIR = join(tmpdir(), 'room-agent-camera-clips');

function encoderArgs(codec: ClipCodec): string[] {
  const gop = String(CLIP_FPS);
  switch (codec) {
    case 'h264':
      return [
        ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-bf', '0'],
        ...['-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-x264-params', 'repeat-headers=1'],
        ...['-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264'],
      ];
    case 'h265':
      return [
        ...['-c:v', 'libx265', '-preset', 'ultrafast'],
        ...[
          '-x265-params',
          `keyint=${gop}:min-keyint=${gop}:scenecut=0:bframes=0:open-gop=0:repeat-headers=1:log-level=error`,
        ],
        ...['-bsf:v', 'hevc_metadata=aud=insert', '-f', 'hevc'],
      ];
  }
}

function clipArgs({ codec, width, height }: ClipSpec): string[] {
  // A camera's sub-stream rate: the clip is small and pushes cost the loopback little.
  const bitrate = `${Math.round((width * height) / 400)}k`;
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi'],
    ...['-i', `testsrc2=size=${width}x${height}:rate=${CLIP_FPS}:duration=${CLIP_SECONDS}`],
    ...['-pix_fmt', 'yuv420p', '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bitrate],
    ...encoderArgs(codec),
  ];
}

let ffmpegVersion: Promise<string> | undefined;

const pending = new Map<string, Promise<string>>();

/** The clip's path, encoding it first when no cached one exists. */
export function cameraClip(spec: ClipSpec): Promise<string> {
  const args = clipArgs(spec);
  const key = JSON.stringify(args);
  let made = pending.get(key);
  if (made === undefined) {
    made = encode(spec, args);
    pending.set(key, made);
  }
  return made;
}

async function encode(spec: ClipSpec, args: string[]): Promise<string> {
  ffmpegVersion ??= run('ffmpeg', ['-version']).then(({ stdout }) => stdout.split('\n')[0] ?? '');
  const version = await ffmpegVersion;
  const hash = createHash('sha256').update(version).update(JSON.stringify(args)).digest('hex').slice(0, 16);
  const path = join(CACHE_DIR, `${spec.codec}-${spec.width}x${spec.height}-${hash}.${spec.codec}`);
  if (existsSync(path)) return path;
  mkdirSync(CACHE_DIR, { recursive: true });
  // Test files in other workers may make the same clip at the same time: each writes its own
  // file and renames it into place, so a reader never sees a clip half written.
  const partial = `${path}.${process.pid}.partial`;
  await run('ffmpeg', [...args, '-y', partial]);
  renameSync(partial, path);
  return path;
}
