/**
 * Proof that a push was not transcoded: the decoded frames (`ffmpeg -f framemd5`) taken at the
 * receiver equal consecutive frames of the clip the camera loops. Packet hashes would differ even
 * for a perfect copy (RTSP, FLV and Annex B wrap the same slices differently); decoded pictures do
 * not, and any re-encode changes them. Imports only node:*.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Reading a live stream for this long is a hang, not a slow machine. */
const PULL_TIMEOUT_MS = 60_000;

function hashesOf(framemd5: string): string[] {
  return framemd5
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.slice(line.lastIndexOf(',') + 1).trim());
}

/** ffmpeg's own frame rate logic would drop or repeat frames; passthrough hashes each decoded frame once. */
function framemd5Args(input: string[], output: string[]): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', ...input],
    ...['-map', '0:v:0', ...output],
    ...['-fps_mode', 'passthrough', '-f', 'framemd5', '-'],
  ];
}

/**
 * Frames from the first key frame on. A stream joined between key frames (an MPEG-TS relay hands
 * on what comes) starts with frames whose references are missing: the H.264 decoder drops them,
 * the H.265 decoder outputs pictures it made up, which are no frames of the clip.
 */
const FROM_FIRST_KEY_FRAME = "select='if(key,st(0,1),ld(0))'";

/** The hashes of the first `frames` decoded video frames of a live stream (rtmp://…, rtsp://…, tcp://… of MPEG-TS). */
export async function streamFrameHashes(url: string, frames: number): Promise<string[]> {
  // A stalled server would otherwise keep ffmpeg waiting for ever.
  const input = ['-rw_timeout', '10000000', '-i', url];
  const output = ['-vf', FROM_FIRST_KEY_FRAME, '-frames:v', String(frames)];
  const { stdout } = await run('ffmpeg', framemd5Args(input, output), {
    timeout: PULL_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  return hashesOf(stdout);
}

const sources = new Map<string, Promise<string[]>>();

/** The hashes of every frame of a clip file, decoded once per test file. */
export function clipFrameHashes(clip: string): Promise<string[]> {
  let hashes = sources.get(clip);
  if (hashes === undefined) {
    hashes = run('ffmpeg', framemd5Args(['-i', clip], []), { maxBuffer: 16 * 1024 * 1024 }).then(({ stdout }) =>
      hashesOf(stdout),
    );
    sources.set(clip, hashes);
  }
  return hashes;
}

/**
 * Where in the looped clip the received frames start: the index i for which received[k] equals
 * source[(i + k) mod length] for every k, or null when no such run exists (a frame was re-encoded,
 * dropped, repeated or reordered).
 */
export function consecutiveSourceOffset(received: readonly string[], source: readonly string[]): number | null {
  if (received.length === 0 || source.length === 0) return null;
  for (let start = 0; start < source.length; start++) {
    if (received.every((hash, k) => hash === source[(start + k) % source.length])) return start;
  }
  return null;
}
