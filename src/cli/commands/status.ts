import { requestControl } from '../../app/cliBackend.js';
import { cameraAdvice } from '../../cameras/messages.js';
import { statusSchema, type Status } from '../../app/statusMethod.js';
import { ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';
import { activityDetails } from './activityText.js';
import { syncStatusLines } from './syncStatusText.js';

const t = defineMessages({
  daemon: { zh: '守护进程运行中（pid {pid}，已运行 {uptime} 秒）', en: 'daemon running (pid {pid}, up {uptime} s)' },
  noDaemon: { zh: '守护进程未运行（以下信息直接读自日志）', en: 'daemon not running (read from the journal directly)' },
  noDaemonReadOnly: {
    zh: '没有守护进程应答（存储只读时守护进程无法在其上建立控制套接字；以下信息直接读自日志）',
    en: 'no daemon answers (on a read-only card a daemon cannot create its control socket there; read from the journal directly)',
  },
  services: { zh: '服务：', en: 'services:' },
  head: { zh: '日志：最新 seq {seq}（哈希 {hash}…）', en: 'journal: head seq {seq} (hash {hash}…)' },
  verifyOk: { zh: '，链已校验至 seq {seq}', en: ', chain verified through seq {seq}' },
  verifyBroken: { zh: '，校验失败：seq {seq} 处断链（{reason}）', en: ', verification FAILED at seq {seq} ({reason})' },
  activity: { zh: '当前活动：', en: 'activity: ' },
  noActivity: { zh: '当前活动：无', en: 'activity: none' },
  config: { zh: '配置：{path}', en: 'config: {path}' },
  override: { zh: '（远程覆盖生效中）', en: ' (remote override active)' },
  cameras: { zh: '摄像头推流：', en: 'camera pushes:' },
  restarts: { zh: '近一分钟启动 {count} 次', en: '{count} starts in the last minute' },
  lastError: { zh: '最后的错误：{line}', en: 'last error: {line}' },
  storage: {
    zh: '存储：{state}（可用 {free}，{inodes} 个 inode）',
    en: 'storage: {state} ({free} free, {inodes} inodes free)',
  },
  unmeasured: { zh: '未知', en: 'unknown' },
  failedWrites: {
    zh: '  自启动以来因存储问题未能记录的写入：{count} 次（详见日志）',
    en: '  writes not recorded because of the storage since the start: {count} (the log names each)',
  },
});

function bytes(value: number | null): string {
  if (value === null) return t('unmeasured');
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MiB`;
  return value >= 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${value} B`;
}

/** The storage's named state and numbers, then what to do about it. */
function storageLines(storage: Status['storage']): string[] {
  const { state, freeBytes, freeInodes, failedWrites, advice } = storage;
  const lines = [t('storage', { state, free: bytes(freeBytes), inodes: freeInodes ?? t('unmeasured') })];
  if (advice !== undefined) lines.push(`  ${advice}`);
  if (failedWrites > 0) lines.push(t('failedWrites', { count: failedWrites }));
  return lines;
}

/** One line per camera (state, codec, resolution, bitrate), then its problem's advice and ffmpeg's last error line. */
function cameraLines(cameras: Status['cameras']): string[] {
  if (cameras.length === 0) return [];
  const lines = [t('cameras')];
  for (const camera of cameras) {
    const parts = [camera.name.padEnd(20), camera.state.padEnd(9)];
    if (camera.video !== undefined) {
      const { codec, width, height, fps } = camera.video;
      parts.push(`${codec} ${width}×${height}${fps === null ? '' : ` ${fps} fps`}`);
    }
    if (camera.audio !== undefined) parts.push(`${camera.audio.codec}→${camera.audio.pushedAs}`);
    if (camera.bitrateKbps !== undefined) parts.push(`${Math.round(camera.bitrateKbps)} kbit/s`);
    if (camera.restartsLastMinute > 1) parts.push(t('restarts', { count: camera.restartsLastMinute }));
    lines.push(`  ${parts.join(' ')}`.trimEnd());
    if (camera.problem !== undefined) lines.push(`    ${camera.problem}: ${cameraAdvice(camera.problem)}`);
    if (camera.lastError !== undefined) lines.push(`    ${t('lastError', { line: camera.lastError })}`);
  }
  return lines;
}

function daemonLine(status: Status): string {
  if (status.daemon !== null) return t('daemon', { pid: status.daemon.pid, uptime: status.daemon.uptimeSeconds });
  return status.storage.state === 'read-only' ? t('noDaemonReadOnly') : t('noDaemon');
}

function render(status: Status): string {
  const lines = [`room-agent ${status.version}: ${daemonLine(status)}`];
  if (status.services.length > 0) {
    lines.push(t('services'));
    for (const service of status.services)
      lines.push(`  ${service.name.padEnd(20)} ${service.state.padEnd(9)} ${service.detail ?? ''}`.trimEnd());
  }
  const { head, lastVerify } = status.journal;
  let journal = t('head', { seq: head.seq, hash: head.hash.slice(0, 12) });
  if (lastVerify?.ok === true) journal += t('verifyOk', { seq: lastVerify.checkedTo });
  if (lastVerify?.ok === false)
    journal += t('verifyBroken', { seq: lastVerify.firstBrokenSeq, reason: lastVerify.reason });
  lines.push(journal);
  lines.push(...storageLines(status.storage));
  lines.push(status.activity === null ? t('noActivity') : t('activity') + activityDetails(status.activity));
  lines.push(...cameraLines(status.cameras));
  lines.push(t('config', { path: status.config.path }) + (status.config.overrideActive ? t('override') : ''));
  lines.push(...syncStatusLines(status.sync));
  return lines.join('\n');
}

export const statusCommand: CliCommand = {
  path: ['status'],
  synopsis: '[--json]',
  summary: {
    zh: '显示守护进程、日志、当前活动和县级同步的状态',
    en: 'show the state of the daemon, the journal, the running activity and the county sync',
  },
  async run(args) {
    const { values } = parseCommandArgs('status', args, { ...configOptions, json: { type: 'boolean' } });
    const status = statusSchema.parse(await requestControl(inspectConfigForCli(values), 'status', {}));
    process.stdout.write(`${values.json ? JSON.stringify(status, null, 2) : render(status)}\n`);
    return ExitCode.Ok;
  },
};
