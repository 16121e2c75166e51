import { describe, expect, it } from 'vitest';
import { isCameraError } from '../../src/cameras/errors.js';
import { planPush, type PlanSettings } from '../../src/cameras/ffmpeg/plan.js';
import type { CameraProblem, ProbedStream } from '../../src/cameras/types.js';

function probed(video: string | null, audio: string | null): ProbedStream {
  return {
    video: video === null ? null : { codec: video, width: 640, height: 360, fps: 25 },
    audio: audio === null ? null : { codec: audio, sampleRate: 8000, channels: 1 },
  };
}

const RTMP: PlanSettings = { transcode: false, transport: 'rtmp' };

function problemOf(stream: ProbedStream, settings: PlanSettings): CameraProblem | undefined {
  try {
    planPush(stream, settings);
    return undefined;
  } catch (error) {
    return isCameraError(error) ? error.problem : undefined;
  }
}

describe('planning a push from a probe', () => {
  it('copies H.264 and AAC as they are', () => {
    expect(planPush(probed('h264', 'aac'), RTMP)).toEqual({ video: 'copy', audio: 'copy' });
  });

  it('sends G.711 (A-law, µ-law) and other audio as AAC', () => {
    for (const audio of ['pcm_alaw', 'pcm_mulaw', 'adpcm_g726'])
      expect(planPush(probed('h264', audio), RTMP)).toEqual({ video: 'copy', audio: 'aac' });
  });

  it('leaves audio out when the camera sends none', () => {
    expect(planPush(probed('h264', null), RTMP)).toEqual({ video: 'copy', audio: 'none' });
  });

  it('refuses H.265 over RTMP unless transcoding, and carries it over SRT', () => {
    expect(problemOf(probed('hevc', 'aac'), RTMP)).toBe('h265-over-rtmp');
    expect(planPush(probed('hevc', 'aac'), { transcode: true, transport: 'rtmp' })).toEqual({
      video: 'transcode',
      audio: 'copy',
    });
    expect(planPush(probed('hevc', 'pcm_alaw'), { transcode: false, transport: 'srt' })).toEqual({
      video: 'copy',
      audio: 'aac',
    });
  });

  it('refuses other video codecs unless transcoding', () => {
    expect(problemOf(probed('mjpeg', null), RTMP)).toBe('unsupported-video');
    expect(planPush(probed('mjpeg', null), { transcode: true, transport: 'rtmp' }).video).toBe('transcode');
  });

  it('transcodes H.264 too when the camera is configured to', () => {
    expect(planPush(probed('h264', 'aac'), { transcode: true, transport: 'rtmp' }).video).toBe('transcode');
  });

  it('refuses a stream without video, transcoding or not', () => {
    expect(problemOf(probed(null, 'aac'), RTMP)).toBe('no-video');
    expect(problemOf(probed(null, 'aac'), { transcode: true, transport: 'srt' })).toBe('no-video');
  });
});
