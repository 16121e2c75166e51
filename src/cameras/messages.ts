import { language, type Language, type MessageCatalog } from '../i18n.js';
import type { CameraProblem } from './types.js';

/**
 * What went wrong with a camera and what to change, for the technician and the branch secretary
 * who read status and the county board. Every camera problem has its text (the record type makes
 * a new problem without one a compile error); none has placeholders, so no URL can slip in.
 */
const advice: MessageCatalog<CameraProblem> = {
  unreachable: {
    zh: '无法连接摄像头：请检查摄像头电源、网线和配置中的 IP 地址与端口（RTSP 通常为 554）',
    en: 'the camera cannot be reached: check its power, its cable and the IP address and port in the configuration (RTSP is usually 554)',
  },
  'auth-failed': {
    zh: '摄像头拒绝了用户名或密码：请在配置的 RTSP 地址中填写摄像头网页里设置的账号和密码',
    en: 'the camera refused the user name or password: put the account set in the camera’s web page into the configured RTSP URL',
  },
  'not-found': {
    zh: '摄像头没有这个视频流：请按摄像头说明书核对 RTSP 地址中的路径（主码流/子码流）',
    en: 'the camera has no such stream: check the path in the RTSP URL (main stream / sub-stream) against the camera’s manual',
  },
  'bad-url': {
    zh: '摄像头或推流地址格式不对：应类似 rtsp://用户名:密码@192.168.1.64:554/路径',
    en: 'the camera or push URL is malformed: it should look like rtsp://user:password@192.168.1.64:554/path',
  },
  timeout: {
    zh: '摄像头在规定时间内没有回应：请检查网络是否通畅，摄像头是否过载',
    en: 'the camera did not answer in time: check the network and whether the camera is overloaded',
  },
  'h265-over-rtmp': {
    zh: '摄像头输出 H.265 视频，RTMP 推流无法传送：请在摄像头网页的视频设置中把“视频编码”改为 H.264，或在配置中为该摄像头开启转码（transcode）',
    en: 'the camera sends H.265 video, which an RTMP push cannot carry: set the video encoding to H.264 in the camera’s web page (视频编码 H.264), or turn transcoding on for this camera',
  },
  'unsupported-video': {
    zh: '摄像头的视频编码无法直接推送：请在摄像头网页中把“视频编码”改为 H.264，或在配置中开启转码（transcode）',
    en: 'the camera’s video codec cannot be pushed as it is: set the video encoding to H.264 in the camera’s web page, or turn transcoding on',
  },
  'no-video': {
    zh: '摄像头的这个流里没有视频：请核对 RTSP 地址，或在摄像头网页中启用该码流的视频',
    en: 'the camera’s stream holds no video: check the RTSP URL, or enable video for this stream in the camera’s web page',
  },
  'server-refused': {
    zh: '县级流媒体服务器拒绝了推流（可能该流名仍被占用，或 SRT 的 passphrase / streamid 与服务器不符）：稍后会自动重试；如持续出现，请联系县里核对推流地址',
    en: 'the county media server refused the push (the stream name may still be in use, or an SRT passphrase or streamid does not match the server’s): it is retried; if it lasts, ask the county to check the push URL',
  },
  'server-unreachable': {
    zh: '无法连接县级流媒体服务器：请检查网络（4G 信号）和推流地址；会自动重试',
    en: 'the county media server cannot be reached: check the uplink (4G signal) and the push URL; it is retried',
  },
  'ffmpeg-missing': {
    zh: '没有找到 ffmpeg/ffprobe：请安装（sudo apt install ffmpeg）或在配置 media 部分填写其路径',
    en: 'ffmpeg/ffprobe is not installed: install it (sudo apt install ffmpeg) or set its path in the media section of the configuration',
  },
  'ffmpeg-error': {
    zh: 'ffmpeg 出错退出：请查看最后一行错误信息；会自动重试',
    en: 'ffmpeg ended with an error: see its last error line; it is retried',
  },
};

/** The advice for `problem`, in the reader's language unless one is named (the wire carries English). */
export function cameraAdvice(problem: CameraProblem, lang: Language = language()): string {
  return advice[problem][lang];
}
