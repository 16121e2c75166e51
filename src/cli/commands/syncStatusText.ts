import { defineMessages } from '../../i18n.js';
import type { SyncStatus } from '../../sync/health/syncStatus.js';

const t = defineMessages({
  link: { zh: '县级连接：{state}（{broker}）', en: 'county link: {state} ({broker})' },
  connecting: { zh: '正在连接', en: 'connecting' },
  connected: { zh: '已连接', en: 'connected' },
  disconnected: { zh: '已断开', en: 'disconnected' },
  stopped: { zh: '已停止', en: 'stopped' },
  'not-running': { zh: '未运行', en: 'not running' },
  since: { zh: '，自 {time} 起', en: ', since {time}' },
  window: { zh: '，在途窗口 {window}', en: ', window {window}' },
  lastError: { zh: '，最近错误：{error}', en: ', last error: {error}' },
  budget: { zh: '上行预算：{rate} kB/s', en: 'uplink budget: {rate} kB/s' },
  budgetUncapped: { zh: '上行预算：不限速', en: 'uplink budget: no cap' },
  budgetPush: { zh: '（推流占用 {kbps} kbit/s）', en: ' (push {kbps} kbit/s)' },
  backlog: {
    zh: '待确认：{count} 条事件（中心尚未确认已存储）',
    en: 'backlog: {count} events not yet acknowledged by the center',
  },
  oldest: { zh: '，最早一条已等待 {age}', en: ', the oldest waiting for {age}' },
  cursor: { zh: '同步游标：seq {seq}（哈希 {hash}…）', en: 'sync cursor: seq {seq} (hash {hash}…)' },
  noCursor: {
    zh: '同步游标：无（中心尚未确认任何事件）',
    en: 'sync cursor: none (the center has acknowledged nothing yet)',
  },
  lastSync: { zh: '上次同步：{time}', en: 'last sync: {time}' },
  neverSynced: { zh: '上次同步：无记录', en: 'last sync: none recorded' },
  files: { zh: '待上传文件：{count} 个', en: 'files waiting to upload: {count}' },
  seconds: { zh: '{n} 秒', en: '{n} s' },
  minutes: { zh: '{n} 分钟', en: '{n} min' },
  hours: { zh: '{n} 小时', en: '{n} h' },
  days: { zh: '{n} 天', en: '{n} days' },
});

/** A wait in its largest sensible unit: "90 s", "45 min", "30 h", "12 days". */
function age(seconds: number): string {
  if (seconds < 120) return t('seconds', { n: seconds });
  if (seconds < 120 * 60) return t('minutes', { n: Math.floor(seconds / 60) });
  if (seconds < 48 * 3600) return t('hours', { n: Math.floor(seconds / 3600) });
  return t('days', { n: Math.floor(seconds / 86_400) });
}

/** What backlog and files may take of the uplink now, and what a live push takes of it. */
function budgetLine({ bytesPerSecond, pushKbps }: NonNullable<SyncStatus['link']['budget']>): string {
  const line = bytesPerSecond === 0 ? t('budgetUncapped') : t('budget', { rate: (bytesPerSecond / 1000).toFixed(1) });
  return pushKbps === undefined ? line : line + t('budgetPush', { kbps: Math.round(pushKbps) });
}

/** The sync lines of `room-agent status`: link, backlog, cursor, last sync, files. */
export function syncStatusLines(sync: SyncStatus): string[] {
  const { link } = sync;
  let linkLine = t('link', { state: t(link.state), broker: link.broker });
  if (link.connectedSince !== undefined) linkLine += t('since', { time: link.connectedSince });
  if (link.window !== undefined) linkLine += t('window', { window: link.window });
  if (link.lastError !== undefined) linkLine += t('lastError', { error: link.lastError });
  let backlog = t('backlog', { count: sync.backlog.events });
  if (sync.backlog.oldestAgeSeconds !== null) backlog += t('oldest', { age: age(sync.backlog.oldestAgeSeconds) });
  return [
    linkLine,
    ...(link.budget === undefined ? [] : [budgetLine(link.budget)]),
    backlog,
    sync.cursor === null ? t('noCursor') : t('cursor', { seq: sync.cursor.seq, hash: sync.cursor.hash.slice(0, 12) }),
    sync.lastSync === null ? t('neverSynced') : t('lastSync', { time: sync.lastSync }),
    t('files', { count: sync.files.pending }),
  ];
}
