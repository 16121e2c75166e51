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
  quarantined: {
    zh: '警报：日志文件曾损坏，已于 {at} 隔离（{reason}）。损坏的文件：数据目录下 quarantine/{file}；签到记录在新日志上继续。请把 quarantine 目录交给县里，之后可将其移走以解除警报',
    en: 'ALARM: the journal file was damaged and quarantined at {at} ({reason}). Damaged file: quarantine/{file} in the data directory; sign-ins go on in a new journal. Hand the quarantine folder to the county, then move it away to clear this alarm',
  },
});

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

function render(status: Status): string {
  const lines = [
    `room-agent ${status.version}: ${status.daemon === null ? t('noDaemon') : t('daemon', { pid: status.daemon.pid, uptime: status.daemon.uptimeSeconds })}`,
  ];
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
  const { quarantined } = status.journal;
  if (quarantined !== null)
    lines.push(
      t('quarantined', {
        at: new Date(quarantined.at).toISOString(),
        reason: quarantined.reason,
        file: quarantined.file,
      }),
    );
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
