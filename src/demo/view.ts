import { clockText, signInCountText } from '../center/liveView.js';
import type { RoomSummary } from '../center/room.js';
import type { SignInCount } from '../center/store.js';
import type { Status } from '../app/statusMethod.js';
import { defineMessages } from '../i18n.js';
import { cutToWidth, displayWidth, padToWidth } from '../util/displayWidth.js';
import { memberName } from './script.js';
import type { RecentSignIn } from './signInFeed.js';
import type { StoryLine } from './story.js';

const t = defineMessages({
  title: { zh: 'room-agent 演示 · {room} · {time} · {part}', en: 'room-agent demo · {room} · {time} · {part}' },
  setup: { zh: '准备', en: 'setting up' },
  round: { zh: '第 {round} 轮', en: 'round {round}' },
  scanner: { zh: '指纹模块', en: 'Scanner' },
  camera: { zh: '摄像头', en: 'Camera' },
  noCamera: {
    zh: '未启用：缺少 {count} 个软件包（bash scripts/start.sh 可安装）',
    en: 'off: {count} packages missing (bash scripts/start.sh installs them)',
  },
  cameraNone: { zh: '尚无状态', en: 'no state yet' },
  'camera-idle': { zh: '待命（活动期间推流）', en: 'idle (pushes during activities)' },
  'camera-probing': { zh: '读取编码中', en: 'probing' },
  'camera-starting': { zh: '开始推流', en: 'starting' },
  'camera-live': { zh: '直播中（县级大屏播放）', en: 'live (on the county board)' },
  'camera-stalled': { zh: '画面停滞，重启中', en: 'stalled, restarting' },
  'camera-backoff': { zh: '稍后重试', en: 'retrying shortly' },
  'camera-stopped': { zh: '县中心已停止推流', en: 'stopped by the county' },
  'camera-failed': { zh: '故障', en: 'failed' },
  link: { zh: '县级链路', en: 'County link' },
  journal: { zh: '本地日志', en: 'Journal' },
  activity: { zh: '当前活动', en: 'Activity' },
  center: { zh: '县中心', en: 'County' },
  recent: { zh: '最近签到', en: 'Latest sign-ins' },
  story: { zh: '演示进程', en: 'Story' },
  board: { zh: '县级大屏', en: 'County board' },
  agentDown: { zh: '代理无应答', en: 'agent not answering' },
  ok: { zh: '正常', en: 'ok' },
  degraded: { zh: '降级', en: 'degraded' },
  failed: { zh: '故障', en: 'failed' },
  stopped: { zh: '已停止', en: 'stopped' },
  starting: { zh: '启动中', en: 'starting' },
  connected: { zh: '已连接', en: 'connected' },
  connecting: { zh: '正在连接', en: 'connecting' },
  disconnected: { zh: '已断开', en: 'disconnected' },
  'not-running': { zh: '未运行', en: 'not running' },
  cutNote: { zh: '（模拟断网中）', en: ' (cut by the demo)' },
  head: {
    zh: '最新 seq {seq} · 待上传 {backlog} 条{age}',
    en: 'head seq {seq} · {backlog} waiting for the county{age}',
  },
  age: { zh: '（最早 {seconds} 秒前）', en: ' (oldest {seconds} s)' },
  noActivity: { zh: '无', en: 'none' },
  running: { zh: '{title}（进行中 {minutes} 分 {seconds} 秒）', en: '{title} (running {minutes} min {seconds} s)' },
  centerLine: {
    zh: '{state} · 已核验至 seq {seq} · 今日签到 {signIns}{broken}',
    en: '{state} · verified up to seq {seq} · sign-ins today {signIns}{broken}',
  },
  online: { zh: '活动室在线', en: 'room online' },
  offline: { zh: '活动室离线', en: 'room offline' },
  unknownRoom: { zh: '尚未收到活动室消息', en: 'nothing from the room yet' },
  broken: { zh: ' · 断链于 seq {seq}', en: ' · broken chain at seq {seq}' },
  accepted: { zh: '指纹签到', en: 'fingerprint' },
  manual: { zh: '人工签到（{secretary} 确认）', en: 'manual (confirmed by {secretary})' },
  unknown: { zh: '未识别的手指', en: 'unknown finger' },
  visitor: { zh: '访客', en: 'visitor' },
  none: { zh: '（暂无）', en: '(none yet)' },
  footer: { zh: 'Ctrl-C 停止 · 日志与数据在 {dir}', en: 'Ctrl-C stops · logs and data in {dir}' },
});

/** Everything one frame shows. */
export interface ViewData {
  nowMs: number;
  roomName: string;
  /** 0 while the setup plays. */
  round: number;
  /** The daemon's `status`; undefined when it did not answer. */
  status: Status | undefined;
  linkCut: boolean;
  recent: readonly RecentSignIn[];
  /** The center's view of the room; undefined before it heard from it. */
  center: RoomSummary | undefined;
  centerSignInsToday: SignInCount | undefined;
  story: readonly StoryLine[];
  /** Packages the camera lacks; empty when the demo runs one. */
  cameraMissing: readonly string[];
  /** The county board's page: the demo's headline for whoever wants the big screen. */
  boardUrl: string;
  dir: string;
}

/** The view never needs more than an 80-column terminal. */
export const VIEW_WIDTH = 80;
const LABELS = ['scanner', 'camera', 'link', 'journal', 'activity', 'center', 'board'] as const;

/** A label and its value, the values of all rows in one column (the labels' width depends on the language). */
function row(label: string, value: string): string {
  const width = Math.max(...LABELS.map((key) => displayWidth(t(key)))) + 2;
  return `${padToWidth(label, width)}${value}`;
}

function scannerText(status: Status): string {
  const scanner = status.services.find((service) => service.name === 'scanner');
  if (scanner === undefined) return t('not-running');
  return scanner.detail === undefined || scanner.state === 'ok'
    ? t(scanner.state)
    : `${t(scanner.state)} · ${scanner.detail}`;
}

function cameraText(status: Status, missing: readonly string[]): string {
  if (missing.length > 0) return t('noCamera', { count: missing.length });
  if (status.cameras.length === 0) return t('cameraNone');
  return status.cameras
    .map(
      (camera) =>
        `${camera.name} · ${t(`camera-${camera.state}`)}${camera.problem === undefined ? '' : ` · ${camera.problem}`}`,
    )
    .join(', ');
}

function activityText(status: Status, nowMs: number): string {
  const activity = status.activity;
  if (activity === null) return t('noActivity');
  const elapsed = Math.max(0, Math.round((nowMs - activity.startedWallMs) / 1000));
  return t('running', { title: activity.title, minutes: Math.floor(elapsed / 60), seconds: elapsed % 60 });
}

function signInText(signIn: RecentSignIn, nowMs: number): string {
  const who = signIn.memberId === null ? t('visitor') : memberName(signIn.memberId);
  const how =
    signIn.kind === 'manual'
      ? t('manual', { secretary: signIn.confirmedBy === null ? '?' : memberName(signIn.confirmedBy) })
      : t(signIn.kind);
  return `  ${clockText(signIn.wallMs, nowMs)}  ${padToWidth(who, 8)}${how}  (seq ${signIn.seq})`;
}

function centerText(data: ViewData): string {
  const room = data.center;
  if (room === undefined) return t('unknownRoom');
  return t('centerLine', {
    state: t(room.state === 'online' ? 'online' : 'offline'),
    seq: room.contiguousSeq,
    signIns: signInCountText(data.centerSignInsToday),
    broken: room.broken === null ? '' : t('broken', { seq: room.broken.seq }),
  });
}

/** One frame: a compact summary, every line cut to VIEW_WIDTH columns. */
export function renderView(data: ViewData): string {
  const { status } = data;
  const lines = [
    t('title', {
      room: data.roomName,
      time: clockText(data.nowMs, data.nowMs),
      part: data.round === 0 ? t('setup') : t('round', { round: data.round }),
    }),
    '',
  ];
  if (status === undefined) {
    lines.push(row(t('scanner'), t('agentDown')));
  } else {
    const { sync } = status;
    const age =
      sync.backlog.oldestAgeSeconds === null ? '' : t('age', { seconds: Math.round(sync.backlog.oldestAgeSeconds) });
    lines.push(
      row(t('scanner'), scannerText(status)),
      row(t('camera'), cameraText(status, data.cameraMissing)),
      row(t('link'), `${t(sync.link.state)}${data.linkCut ? t('cutNote') : ''}`),
      row(t('journal'), t('head', { seq: status.journal.head.seq, backlog: sync.backlog.events, age })),
      row(t('activity'), activityText(status, data.nowMs)),
    );
  }
  lines.push(row(t('center'), centerText(data)), row(t('board'), data.boardUrl), '', t('recent'));
  lines.push(
    ...(data.recent.length === 0 ? [`  ${t('none')}`] : data.recent.map((signIn) => signInText(signIn, data.nowMs))),
  );
  lines.push('', t('story'), ...data.story.map((line) => `  ${clockText(line.wallMs, data.nowMs)}  ${line.text}`));
  lines.push('', t('footer', { dir: data.dir }));
  return `${lines.map((line) => cutToWidth(line, VIEW_WIDTH)).join('\n')}\n`;
}

/** Cursor home, clear to the end of the screen: the frame is redrawn in place. */
const HOME_AND_CLEAR = '\u001b[H\u001b[J';
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';

/**
 * Redraws the frame in place while the demo runs: reads its sources every intervalMs (no
 * faster than twice a second, so the terminal never floods) and writes only when the frame changed.
 */
export class TerminalView {
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private drawing = false;

  constructor(
    private readonly read: () => Promise<ViewData>,
    private readonly out: NodeJS.WritableStream,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.out.write(HIDE_CURSOR);
    this.timer = setInterval(() => void this.draw(), Math.max(500, this.intervalMs));
    void this.draw();
  }

  /** Stops redrawing; the last frame stays on the screen. */
  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.out.write(SHOW_CURSOR);
  }

  private async draw(): Promise<void> {
    if (this.drawing) return;
    this.drawing = true;
    try {
      const frame = renderView(await this.read());
      if (frame !== this.last && this.timer !== undefined) {
        this.out.write(`${HOME_AND_CLEAR}${frame}`);
        this.last = frame;
      }
    } catch {
      // A source that cannot be read this time (the agent restarting) costs a frame, not the demo.
    } finally {
      this.drawing = false;
    }
  }
}
