import { defineMessages } from '../i18n.js';

/** Control-socket errors a technician may read in the CLI; paths and method names stay as they are. */
export const controlText = defineMessages({
  noDaemon: { zh: '没有 room-agent 守护进程在 {path} 上监听', en: 'no room-agent daemon is listening on {path}' },
  permission: {
    zh: '无权访问 {path}：请以 root 或 room-agent 组成员身份运行',
    en: 'permission denied on {path}: run as root or as a member of the room-agent group',
  },
  timeout: {
    zh: '守护进程在 {seconds} 秒内没有回应 {method}（{path}）',
    en: 'the daemon did not answer {method} within {seconds} s ({path})',
  },
  closed: {
    zh: '守护进程在回应 {method} 之前关闭了连接',
    en: 'the daemon closed the connection before answering {method}',
  },
  tooLong: { zh: '对 {method} 的回应超过 {bytes} 字节', en: 'the answer to {method} is longer than {bytes} bytes' },
  malformed: { zh: '守护进程对 {method} 的回应格式有误', en: 'the daemon sent a malformed answer to {method}' },
  connectFailed: { zh: '{method}：连接 {path} 失败：{reason}', en: '{method}: connection to {path} failed: {reason}' },
  stopping: { zh: '守护进程正在停止；请在它重新启动后再试', en: 'the daemon is stopping; try again when it is back' },
});
