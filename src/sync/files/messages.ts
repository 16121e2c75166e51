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
  metaSize: { zh: '序列化后不得超过 {bytes} 字节的 JSON', en: 'must be at most {bytes} bytes of JSON' },
});
