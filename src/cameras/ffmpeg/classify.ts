import { CameraError } from '../errors.js';
import type { CameraProblem } from '../types.js';

export interface Classified {
  problem: CameraProblem;
  /** The line the problem was read from, as given (the runner's lines are masked already). */
  line: string;
}

/**
 * A line speaks of the push's output (the media server) when it names an output URL's scheme, a
 * muxer's write or libsrt's own log (`12:00:00.000000/SRT:RcvQ:w1!W:SRT.cn: …`, which it writes
 * to stderr itself: SRT is only ever the push); otherwise it speaks of the camera. ffmpeg's
 * `[tcp @ …]` lines name neither, and the URL line it prints after them decides.
 */
const OUTPUT_SIDE =
  /\b(?:rtmps?|srt):\/\/|^\[(?:rtmp|flv|srt|mpegts) @|av_interleaved_write_frame|Error (?:writing trailer|closing file)|[!*][A-Z]:SRT\.[a-z]+: /i;

/** How many of the last kept lines make up the error ffmpeg ended with. */
const FINAL_ERROR_LINES = 8;

/** Lines that say nothing of the cause: ffmpeg's repeat counter, the `[tcp @ …]` detail under a URL line. */
const NO_CAUSE = /^\s*Last message repeated|^\[tcp @/;

/**
 * A URL line with ffmpeg's catch-all error, and libsrt's failed connection, which ends the same
 * way: a line above them may name the cause (libsrt's REJECT line: a wrong passphrase). Masking a
 * secret parameter at the URL's end takes the colon after it.
 */
const GENERIC = /^(?:\[srt @ \S+\] Connection to \S+ failed:|\S+:?) Input\/output error$/;

const CAMERA_RULES: readonly [RegExp, CameraProblem][] = [
  [/\b401\b|authori[sz]ation failed|Unauthorized/i, 'auth-failed'],
  [/\b404\b|Not Found/i, 'not-found'],
  [/Port missing in uri|Invalid argument|Protocol not found|No such file or directory/i, 'bad-url'],
  [
    /Connection refused|No route to host|Network is unreachable|Host is unreachable|resolve hostname|Input\/output error/i,
    'unreachable',
  ],
  // An RTSP server that accepts the connection and then stays silent ends in "Invalid data" once the socket timeout passes.
  [/timed out|Timeout|Invalid data found when processing input/i, 'timeout'],
];

const SERVER_RULES: readonly [RegExp, CameraProblem][] = [
  // Not "Invalid argument" in general: on the output side the FLV muxer ends with it on a one-off
  // timestamp fault (packets out of DTS order), which a restart heals. An SRT URL's open fails
  // with it on a value ffmpeg cannot read (`mode=`), and libsrt refuses a passphrase of the wrong
  // length when setting it: the URL must change.
  [/Port missing in uri|Protocol not found|^srt:\/\/\S+:? Invalid argument$|failed to set option SRTO_/i, 'bad-url'],
  // libsrt's word for a listener that answered and refused (a wrong or missing passphrase, a streamid it will not take).
  [/\bREJECT\b|rejected/, 'server-refused'],
  // An SRT I/O error is a connection that could not be made (nobody answered its handshake) or
  // broke (the listener silent for SRT's peer idle timeout, 5 s): libsrt names a refusal above it.
  [
    /Connection to \S+ failed|srt:\/\/\S+:? Input\/output error$|Connection refused|No route to host|unreachable|resolve hostname|Broken pipe|Connection reset|timed out/i,
    'server-unreachable',
  ],
  // nginx-rtmp and SRS answer a taken stream name with "Already publishing" (EPERM), an unknown application with an I/O error.
  [
    /Already publishing|Server error|Operation not permitted|Input\/output error|\b40[13]\b|Forbidden/i,
    'server-refused',
  ],
];

/**
 * Reads what ffmpeg's or ffprobe's last error lines say went wrong, from the last line up (the
 * last line is the one that ended the process). Null when no line names a known cause: the
 * caller decides (an exit without an error line is a camera that went silent: ffmpeg exits 0 on
 * its socket timeout).
 */
export function classifyErrorLines(lines: readonly string[]): Classified | null {
  let generic: Classified | null = null;
  // Only the lines of the final error: an old warning higher up ("RTP: missed 401 packets") names no cause of the end.
  const first = Math.max(0, lines.length - FINAL_ERROR_LINES);
  for (let index = lines.length - 1; index >= first; index--) {
    const line = lines[index]!;
    if (NO_CAUSE.test(line) && index < lines.length - 1) continue;
    const problem = classifyLine(line);
    if (problem === undefined) continue;
    if (!GENERIC.test(line)) return { problem, line };
    generic ??= { problem, line };
  }
  return generic;
}

function classifyLine(line: string): CameraProblem | undefined {
  const rules = OUTPUT_SIDE.test(line) ? SERVER_RULES : CAMERA_RULES;
  return rules.find(([pattern]) => pattern.test(line))?.[1];
}

/**
 * The CameraError a failed ffmpeg or ffprobe run stands for: the classified problem with the line
 * it was read from, or `ffmpeg-error` with the last line when no line names a known cause.
 */
export function errorFromLines(lines: readonly string[], context: Readonly<Record<string, unknown>> = {}): CameraError {
  const classified = classifyErrorLines(lines);
  return new CameraError(classified?.problem ?? 'ffmpeg-error', classified?.line ?? lines.at(-1), context);
}
