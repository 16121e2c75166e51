import { isCameraError } from '../../cameras/errors.js';
import { pushTransport } from '../../cameras/ffmpeg/args.js';
import { planPush } from '../../cameras/ffmpeg/plan.js';
import { withOneOffProbe } from '../../cameras/ffmpeg/probe.js';
import type { CameraProbe } from '../../cameras/types.js';
import { maskUrl } from '../../util/mask.js';
import { cameraAdvice } from '../../cameras/messages.js';
import type { CameraConfig, Config } from '../../config/schema.js';
import { defineMessages } from '../../i18n.js';

const t = defineMessages({
  found: { zh: '摄像头 {name}（{url}）：{video}{audio}', en: 'camera {name} ({url}): {video}{audio}' },
  video: { zh: '视频 {codec} {width}×{height}{fps}', en: 'video {codec} {width}×{height}{fps}' },
  noVideo: { zh: '没有视频', en: 'no video' },
  audio: { zh: '，音频 {codec}', en: ', audio {codec}' },
  fps: { zh: ' {fps} 帧/秒', en: ' {fps} fps' },
  problem: { zh: '摄像头 {name}（{url}）：{advice}', en: 'camera {name} ({url}): {advice}' },
  pushOk: { zh: '  推流：可直接转发{audio}', en: '  push: copied as it is{audio}' },
  pushAac: { zh: '（音频转为 AAC）', en: ' (audio converted to AAC)' },
  pushProblem: { zh: '  推流：{advice}', en: '  push: {advice}' },
});

/**
 * Reads each named camera once with ffprobe, as the daemon's push would before it starts, and says
 * what it sends and whether the configured push can carry it (H.265 over RTMP cannot). A camera
 * that cannot be read is reported, not refused: on the day of the visit it may still be unpowered.
 */
export async function probeCameras(config: Config, names: readonly string[]): Promise<string[]> {
  const cameras = config.cameras.filter((camera) => names.includes(camera.name));
  if (cameras.length === 0) return [];
  return withOneOffProbe(config.media, 'room-agent-provision-', async (probe) =>
    (await Promise.all(cameras.map((camera) => describeCamera(camera, probe)))).flat(),
  );
}

async function describeCamera(camera: CameraConfig, probe: CameraProbe): Promise<string[]> {
  const url = maskUrl(camera.url);
  let probed;
  try {
    probed = await probe(camera.subUrl ?? camera.url);
  } catch (error) {
    if (!isCameraError(error)) throw error;
    return [t('problem', { name: camera.name, url, advice: cameraAdvice(error.problem) })];
  }
  const { video: v, audio: a } = probed;
  const video =
    v === null
      ? t('noVideo')
      : t('video', {
          codec: v.codec,
          width: v.width,
          height: v.height,
          fps: v.fps === null ? '' : t('fps', { fps: v.fps }),
        });
  const lines = [
    t('found', { name: camera.name, url, video, audio: a === null ? '' : t('audio', { codec: a.codec }) }),
  ];
  if (camera.push === undefined) return lines;
  try {
    const plan = planPush(probed, { transcode: camera.transcode !== 'off', transport: pushTransport(camera.push.url) });
    lines.push(t('pushOk', { audio: plan.audio === 'aac' ? t('pushAac') : '' }));
  } catch (error) {
    if (!isCameraError(error)) throw error;
    lines.push(t('pushProblem', { advice: cameraAdvice(error.problem) }));
  }
  return lines;
}
