import { defineMessages } from '../i18n.js';
import { displayWidth, padToWidth } from '../util/displayWidth.js';
import type { KnownGap, RoomSummary } from './room.js';
import type { SignInCount } from './store.js';

const t = defineMessages({
  title: {
    zh: '县级中心 · {broker} · {rooms} 个活动室 · {time}',
    en: 'County center · {broker} · {rooms} rooms · {time}',
  },
  brokerUp: { zh: '已连接代理服务器', en: 'broker connected' },
  brokerDown: { zh: '代理服务器未连接', en: 'broker not connected' },
  room: { zh: '活动室', en: 'room' },
  state: { zh: '状态', en: 'state' },
  lastSeen: { zh: '最近消息', en: 'last seen' },
  backlog: { zh: '积压', en: 'backlog' },
  contiguous: { zh: '连续至', en: 'contiguous' },
  signIns: { zh: '今日签到', en: 'sign-ins today' },
  withEmulated: { zh: '{real}（另有演示 {emulated}）', en: '{real} (+{emulated} demo)' },
  chain: { zh: '链', en: 'chain' },
  files: { zh: '文件', en: 'files' },
  online: { zh: '在线', en: 'online' },
  offline: { zh: '离线', en: 'offline' },
  offlineBecause: { zh: '离线（{reason}）', en: 'offline ({reason})' },
  unknown: { zh: '未知', en: 'unknown' },
  chainOk: { zh: '正常', en: 'ok' },
  chainBroken: { zh: '断链于 seq {seq}', en: 'broken chain at seq {seq}' },
  chainWaiting: { zh: '等待密钥', en: 'waiting for a key' },
  brokenDetail: { zh: '{room}：断链于 seq {seq}：{reason}', en: '{room}: broken chain at seq {seq}: {reason}' },
  chainGaps: { zh: '正常，跳号 {count} 处', en: 'ok, gaps: {count}' },
  chainDamaged: { zh: '日志文件损坏', en: 'damaged journal' },
  'gap.rollback': { zh: '日志回退', en: 'journal rolled back' },
  'gap.damaged': { zh: '日志文件损坏', en: 'journal file damaged' },
  gapLost: {
    zh: '{room}：seq {seq} 处跳号（{why}）：跳过 seq {from}–{to}，本中心持有其中 {held} 条；重新追加 {carried} 条',
    en: '{room}: gap at seq {seq} ({why}): seqs {from}–{to} skipped, {held} of them held here; {carried} entries re-appended',
  },
  gapNothingLost: {
    zh: '{room}：seq {seq} 处续链（{why}）：未跳过任何 seq；重新追加 {carried} 条',
    en: '{room}: chain continued at seq {seq} ({why}): no seq skipped; {carried} entries re-appended',
  },
  damagedAlarm: {
    zh: '{room}：警报：日志文件损坏，已隔离为 {file}，seq {seq} 起为新文件。请保留该文件并联系维护人员',
    en: '{room}: ALARM: the journal file was damaged and set aside as {file}; a new file continues at seq {seq}. Keep it and call the technician',
  },
  noRooms: { zh: '尚无活动室连接', en: 'no room has reported yet' },
  unreadable: { zh: '视图无法读取中心数据库：{reason}', en: 'the view cannot read the center database: {reason}' },
  camera: { zh: '{room} 摄像头 {camera}：{state}', en: '{room} camera {camera}: {state}' },
  cameraProblem: { zh: '    问题 {problem}：{detail}', en: '    problem {problem}: {detail}' },
  bitrate: { zh: '{kbps} kbit/s', en: '{kbps} kbit/s' },
  restarts: { zh: '1 分钟内重启 {count} 次', en: 'restarts in the last minute: {count}' },
  'camera.idle': { zh: '未推流', en: 'not pushing' },
  'camera.probing': { zh: '正在探测', en: 'probing' },
  'camera.starting': { zh: '正在启动', en: 'starting' },
  'camera.live': { zh: '直播中', en: 'live' },
  'camera.stalled': { zh: '画面停滞', en: 'stalled' },
  'camera.backoff': { zh: '等待重试', en: 'waiting to retry' },
  'camera.stopped': { zh: '已被中心停止', en: 'stopped by the center' },
  'camera.failed': { zh: '故障', en: 'failed' },
});

type CameraLine = RoomSummary['cameras'][number];

/** State, what the push carries and its bitrate; the problem and the room's advice (English on the wire) below. */
function cameraLines(deviceId: string, camera: CameraLine): string[] {
  const stream = [
    t(`camera.${camera.state}`),
    ...(camera.video === undefined ? [] : [`${camera.video.codec} ${camera.video.width}×${camera.video.height}`]),
    ...(camera.audio === undefined || camera.audio.pushedAs === 'none'
      ? []
      : [camera.audio.pushedAs === 'aac' ? `${camera.audio.codec} → aac` : camera.audio.codec]),
    ...(camera.bitrateKbps === undefined ? [] : [t('bitrate', { kbps: Math.round(camera.bitrateKbps) })]),
    ...(camera.restartsLastMinute > 0 ? [t('restarts', { count: camera.restartsLastMinute })] : []),
  ].join(' · ');
  const lines = [t('camera', { room: deviceId, camera: camera.name, state: stream })];
  if (camera.problem !== undefined || camera.detail !== undefined)
    lines.push(t('cameraProblem', { problem: camera.problem ?? '-', detail: camera.detail ?? '-' }));
  return lines;
}

/** What the view shows per room, beyond the summary: counted from the center's tables. */
export interface ViewData {
  brokerConnected: boolean;
  rooms: readonly RoomSummary[];
  signInsToday: ReadonlyMap<string, SignInCount>;
  files: ReadonlyMap<string, number>;
}

/** The source the view reads every refresh; CountyCenter provides it. */
export interface ViewSource {
  readonly brokerConnected: boolean;
  rooms(): RoomSummary[];
  signInsBetween(fromMs: number, toMs: number): Map<string, SignInCount>;
  fileCounts(): Map<string, number>;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** Local time; the date too when it is not today. */
export function clockText(ms: number, nowMs: number): string {
  const at = new Date(ms);
  const time = `${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}:${twoDigits(at.getSeconds())}`;
  if (at.toDateString() === new Date(nowMs).toDateString()) return time;
  return `${at.getFullYear()}-${twoDigits(at.getMonth() + 1)}-${twoDigits(at.getDate())} ${time}`;
}

function stateText(room: RoomSummary): string {
  if (room.state === 'online') return t('online');
  if (room.state === 'offline')
    return room.reason === null ? t('offline') : t('offlineBecause', { reason: room.reason });
  return t('unknown');
}

/** Emulated sign-ins are demo data: shown apart, never added to the real count. */
export function signInCountText(count: SignInCount | undefined): string {
  if (count === undefined) return '0';
  return count.emulated === 0 ? String(count.real) : t('withEmulated', { real: count.real, emulated: count.emulated });
}

function chainText(room: RoomSummary): string {
  if (room.broken !== null) return t('chainBroken', { seq: room.broken.seq });
  if (room.pending !== null) return t('chainWaiting');
  if (room.damaged !== null) return t('chainDamaged');
  return room.gaps.length === 0 ? t('chainOk') : t('chainGaps', { count: room.gaps.length });
}

/** The gaps a room's view lists: the latest few, a room that rolled back every week does not fill the screen. */
const GAPS_SHOWN = 3;

function gapLine(deviceId: string, gap: KnownGap): string {
  const why = gap.reason === 'rollback' || gap.reason === 'damaged' ? t(`gap.${gap.reason}`) : gap.reason;
  const common = { room: deviceId, seq: gap.seq, why, carried: gap.carried };
  return gap.lost === null
    ? t('gapNothingLost', common)
    : t('gapLost', { ...common, from: gap.lost.fromSeq, to: gap.lost.toSeq, held: gap.heldLost });
}

/** Each room's damaged-journal alarm, then its latest gaps. */
function gapLines(rooms: readonly RoomSummary[]): string[] {
  return rooms.flatMap((room) => [
    ...(room.damaged === null
      ? []
      : [t('damagedAlarm', { room: room.deviceId, file: room.damaged.quarantinedFile ?? '-', seq: room.damaged.seq })]),
    ...room.gaps.slice(-GAPS_SHOWN).map((gap) => gapLine(room.deviceId, gap)),
  ]);
}

/** Local midnight to the next: "today" as the county's staff count it. */
export function todayRange(nowMs: number): { fromMs: number; toMs: number } {
  const start = new Date(nowMs);
  start.setHours(0, 0, 0, 0);
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  return { fromMs: start.getTime(), toMs: end.getTime() };
}

function readView(source: ViewSource, nowMs: number): ViewData {
  const { fromMs, toMs } = todayRange(nowMs);
  return {
    brokerConnected: source.brokerConnected,
    rooms: source.rooms(),
    signInsToday: source.signInsBetween(fromMs, toMs),
    files: source.fileCounts(),
  };
}

/** The table, one line per room, and a line per broken chain with its reason. */
export function renderView(data: ViewData, nowMs: number): string {
  const header = [
    t('room'),
    t('state'),
    t('lastSeen'),
    t('backlog'),
    t('contiguous'),
    t('signIns'),
    t('chain'),
    t('files'),
  ];
  const rows = data.rooms.map((room) => [
    room.deviceId,
    stateText(room),
    clockText(room.lastSeenMs, nowMs),
    room.backlog === null ? '-' : String(room.backlog),
    String(room.contiguousSeq),
    signInCountText(data.signInsToday.get(room.deviceId)),
    chainText(room),
    String(data.files.get(room.deviceId) ?? 0),
  ]);
  const widths = header.map((title, column) =>
    Math.max(displayWidth(title), ...rows.map((row) => displayWidth(row[column]!))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => padToWidth(cell, widths[column]!))
      .join('  ')
      .trimEnd();
  const lines = [
    t('title', {
      broker: t(data.brokerConnected ? 'brokerUp' : 'brokerDown'),
      rooms: data.rooms.length,
      time: clockText(nowMs, nowMs),
    }),
    '',
    line(header),
    ...rows.map(line),
  ];
  if (rows.length === 0) lines.push(t('noRooms'));
  const cameras = data.rooms.flatMap((room) => room.cameras.flatMap((camera) => cameraLines(room.deviceId, camera)));
  if (cameras.length > 0) lines.push('', ...cameras);
  const broken = data.rooms.filter((room) => room.broken !== null);
  if (broken.length > 0) lines.push('');
  for (const room of broken)
    lines.push(t('brokenDetail', { room: room.deviceId, seq: room.broken!.seq, reason: room.broken!.reason }));
  const gaps = gapLines(data.rooms);
  if (gaps.length > 0) lines.push('', ...gaps);
  return `${lines.join('\n')}\n`;
}

/** "Clear the screen, cursor home": a terminal shows the view in place; a pipe gets plain frames. */
const CLEAR = '\u001b[H\u001b[2J';

/** Reprints the view every intervalMs until stopped. */
export class LiveView {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: ViewSource,
    private readonly out: NodeJS.WritableStream,
    private readonly options: { intervalMs: number; clearScreen: boolean },
  ) {}

  start(): void {
    this.print();
    this.timer = setInterval(() => this.print(), this.options.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs on a timer: a database that cannot be read (locked, full disk) costs a frame, not the center. */
  private print(): void {
    const now = Date.now();
    let frame: string;
    try {
      frame = renderView(readView(this.source, now), now);
    } catch (error) {
      frame = `${t('unreadable', { reason: (error as Error).message })}\n`;
    }
    this.out.write(this.options.clearScreen ? `${CLEAR}${frame}` : `${frame}\n`);
  }
}
