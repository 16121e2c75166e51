import { requestControl } from '../../app/cliBackend.js';
import { cameraAdvice } from '../../cameras/messages.js';
import { statusSchema, type Status } from '../../app/statusMethod.js';
import { ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { wallTimeText } from '../../util/wallTime.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';
import { activityDetails } from './activityText.js';
import { byteText } from '../../util/byteText.js';
import { recordingLines } from './recordingStatusText.js';
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
  lastCheck: {
    zh: '  上次检查（{mode}，{time}）：{range}',
    en: '  last check ({mode}, {time}): {range}',
  },
  incremental: { zh: '增量，自上次已校验处起', en: 'incremental, from the last verified seq' },
  full: { zh: '完整', en: 'full' },
  lastFull: {
    zh: '  上次完整校验（{trigger}，{time}）：{range}',
    en: '  last full verification ({trigger}, {time}): {range}',
  },
  noFull: { zh: '  完整校验：尚未进行', en: '  full verification: none yet' },
  running: {
    zh: '  完整校验进行中（{trigger}，始于 {time}）：已校验至 seq {seq}',
    en: '  full verification under way ({trigger}, since {time}): checked through seq {seq}',
  },
  'unclean-stop': { zh: '上次非正常停止之后', en: 'after an unclean stop' },
  'changed-while-stopped': { zh: '日志文件在停机期间被改动之后', en: 'the journal file changed while stopped' },
  daily: { zh: '每日', en: 'daily' },
  sound: { zh: 'seq {from}…{to} 完好', en: 'seq {from}…{to} sound' },
  nothingNew: { zh: '没有新记录', en: 'no new entries' },
  broken: { zh: '断链！第一个断点 seq {seq}：{reason}', en: 'BROKEN at seq {seq}: {reason}' },
  activity: { zh: '当前活动：', en: 'activity: ' },
  noActivity: { zh: '当前活动：无', en: 'activity: none' },
  config: { zh: '配置：{path}', en: 'config: {path}' },
  override: { zh: '（远程覆盖生效中）', en: ' (remote override active)' },
  cameras: { zh: '摄像头推流：', en: 'camera pushes:' },
  restarts: { zh: '近一分钟启动 {count} 次', en: '{count} starts in the last minute' },
  lastError: { zh: '最后的错误：{line}', en: 'last error: {line}' },
  recorders: { zh: '会议录像：', en: 'meeting recordings:' },
  recordedSegments: { zh: '活动 {activity}，已存 {count} 段', en: 'activity {activity}, {count} segments kept' },
  'no-space': {
    zh: '空间不足，录像已停止（最后一段已保存）；腾出空间后自动继续：{reason}',
    en: 'no room for media: recording stopped (its last segment kept) and goes on by itself once space is freed: {reason}',
  },
  storage: {
    zh: '存储：{state}（可用 {free}，{inodes} 个 inode）',
    en: 'storage: {state} ({free} free, {inodes} inodes free)',
  },
  unmeasured: { zh: '未知', en: 'unknown' },
  failedWrites: {
    zh: '  自启动以来因存储问题未能记录的写入：{count} 次（详见日志）',
    en: '  writes not recorded because of the storage since the start: {count} (the log names each)',
  },
  quarantined: {
    zh: '警报：日志文件曾损坏，已于 {at} 隔离（{reason}）。损坏的文件：数据目录下 quarantine/{file}；签到记录在新日志上继续。请把 quarantine 目录交给县里，之后可将其移走以解除警报',
    en: 'ALARM: the journal file was damaged and quarantined at {at} ({reason}). Damaged file: quarantine/{file} in the data directory; sign-ins go on in a new journal. Hand the quarantine folder to the county, then move it away to clear this alarm',
  },
});

/** The storage's named state and numbers, then what to do about it. */
function storageLines(storage: Status['storage']): string[] {
  const { state, freeBytes, freeInodes, failedWrites, advice } = storage;
  const lines = [t('storage', { state, free: byteText(freeBytes), inodes: freeInodes ?? t('unmeasured') })];
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

/** One line per recorded camera (state, activity, segments), then why it does not record. */
function recorderLines(recorders: Status['recorders']): string[] {
  if (recorders.length === 0) return [];
  const lines = [t('recorders')];
  for (const recording of recorders) {
    const parts = [recording.camera.padEnd(20), recording.state.padEnd(9)];
    if (recording.activityId !== undefined)
      parts.push(t('recordedSegments', { activity: recording.activityId, count: recording.segments }));
    lines.push(`  ${parts.join(' ')}`.trimEnd());
    if (recording.state === 'no-space') lines.push(`    ${t('no-space', { reason: recording.detail ?? '' })}`);
    else if (recording.problem !== undefined)
      lines.push(`    ${recording.problem}: ${cameraAdvice(recording.problem)}`);
    if (recording.lastError !== undefined) lines.push(`    ${t('lastError', { line: recording.lastError })}`);
  }
  return lines;
}

type CheckedRange = NonNullable<Status['journal']['verification']['lastCheck']>;

function rangeText(range: CheckedRange | NonNullable<Status['journal']['verification']['lastFull']>): string {
  if (range.broken !== null) return t('broken', { seq: range.broken.seq, reason: range.broken.reason });
  if (range.checkedTo < range.checkedFrom) return t('nothingNew');
  return t('sound', { from: range.checkedFrom, to: range.checkedTo });
}

/** What was verified and when: the last check, the last full verification, one under way. */
function verificationLines({ lastCheck, lastFull, running }: Status['journal']['verification']): string[] {
  const lines: string[] = [];
  if (lastCheck !== null)
    lines.push(
      t('lastCheck', { mode: t(lastCheck.mode), time: wallTimeText(lastCheck.wallMs), range: rangeText(lastCheck) }),
    );
  if (lastFull === null) lines.push(t('noFull'));
  else
    lines.push(
      t('lastFull', { trigger: t(lastFull.trigger), time: wallTimeText(lastFull.wallMs), range: rangeText(lastFull) }),
    );
  if (running !== null)
    lines.push(
      t('running', { trigger: t(running.trigger), time: wallTimeText(running.startedWallMs), seq: running.checkedTo }),
    );
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
  const { head, verification, quarantined } = status.journal;
  lines.push(t('head', { seq: head.seq, hash: head.hash.slice(0, 12) }), ...verificationLines(verification));
  if (quarantined !== null)
    lines.push(
      t('quarantined', {
        at: new Date(quarantined.at).toISOString(),
        reason: quarantined.reason,
        file: quarantined.file,
      }),
    );
  lines.push(...storageLines(status.storage), ...recordingLines(status.recordings));
  lines.push(status.activity === null ? t('noActivity') : t('activity') + activityDetails(status.activity));
  lines.push(...cameraLines(status.cameras));
  lines.push(...recorderLines(status.recorders));
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
