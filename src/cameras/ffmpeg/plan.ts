import { CameraError } from '../errors.js';
import type { ProbedStream, PushPlan } from '../types.js';
import type { PushTransport } from './args.js';

export interface PlanSettings {
  /** Video is transcoded (to H.264) when the camera's config says so. */
  transcode: boolean;
  transport: PushTransport;
}

/** The video codecs each transport carries as they are: FLV on FFmpeg 5.1 has no H.265; MPEG-TS has. */
const CARRIED_VIDEO: Record<PushTransport, readonly string[]> = {
  rtmp: ['h264'],
  srt: ['h264', 'hevc'],
};

/**
 * How a probed camera is pushed, or why it cannot be: video copied whenever the transport
 * carries its codec, transcoded only when configured; audio copied when it is AAC (what RTMP
 * servers and players take) and transcoded to AAC otherwise (G.711 from most cameras sold in
 * China: cheap to transcode), left out when there is none.
 */
export function planPush(probed: ProbedStream, settings: PlanSettings): PushPlan {
  if (probed.video === null) throw new CameraError('no-video');
  const carried = CARRIED_VIDEO[settings.transport].includes(probed.video.codec);
  if (!carried && !settings.transcode) {
    const h265OverRtmp = probed.video.codec === 'hevc' && settings.transport === 'rtmp';
    throw new CameraError(h265OverRtmp ? 'h265-over-rtmp' : 'unsupported-video', undefined, {
      codec: probed.video.codec,
    });
  }
  return {
    video: settings.transcode ? 'transcode' : 'copy',
    audio: probed.audio === null ? 'none' : probed.audio.codec === 'aac' ? 'copy' : 'aac',
  };
}
