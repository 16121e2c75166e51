import { defineMessages } from '../../i18n.js';

/** What a technician reads when `room-agent files send` (or a camera) cannot queue a file. */
export const fileMessages = defineMessages({
  unreadable: { zh: '无法读取文件 {file}：{reason}', en: 'cannot read {file}: {reason}' },
  notRegular: {
    zh: '{file} 不是普通文件（目录、设备或管道不能上传）',
    en: '{file} is not a regular file (a directory, device or pipe cannot be uploaded)',
  },
  changedWhileReading: {
    zh: '读取 {file} 时文件发生了变化，请在写入完成后再试',
    en: '{file} changed while it was being read; try again once it is completely written',
  },
  invalid: { zh: '无法排队上传：{problems}', en: 'cannot queue the upload: {problems}' },
  nameRule: {
    zh: '必须是不含 / \\ 或控制字符、且不是 . 或 .. 的文件名',
    en: 'must be a file name without / \\ or control characters, other than . and ..',
  },
  kindRule: { zh: '小写字母开头的类别，例如 photo', en: 'a lowercase kind such as photo' },
  absolutePath: { zh: '必须是绝对路径', en: 'must be an absolute path' },
  segmentDiffers: {
    zh: '磁盘上的文件不是录制时的分段：大小或 SHA-256 与索引不符',
    en: 'the file on disk is not the recorded segment: its size or SHA-256 differs from the index',
  },
  noSegments: {
    zh: '活动 {activityId} 没有录像分段（摄像头：{camera}，序号 {fromIndex}…{toIndex}）',
    en: 'activity {activityId} has no recorded segment (camera: {camera}, index {fromIndex}…{toIndex})',
  },
  anyCamera: { zh: '全部', en: 'any' },
  lastIndex: { zh: '最后', en: 'last' },
  metaSize: { zh: '序列化后不得超过 {bytes} 字节的 JSON', en: 'must be at most {bytes} bytes of JSON' },
});
