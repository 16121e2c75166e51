import { afterEach, describe, expect, it } from 'vitest';
import { renderView, todayRange } from '../../src/center/liveView.js';
import type { RoomSummary } from '../../src/center/room.js';
import { setLanguage } from '../../src/i18n.js';

const NOW = new Date(2025, 5, 5, 9, 30, 0).getTime();

function summary(overrides: Partial<RoomSummary>): RoomSummary {
  return {
    deviceId: 'room',
    state: 'online',
    reason: null,
    version: '0.1.0',
    firstSeenMs: NOW - 3_600_000,
    lastSeenMs: NOW - 5_000,
    baseSeq: 1,
    contiguousSeq: 0,
    contiguousHash: null,
    headSeq: null,
    backlog: null,
    maxStoredSeq: 0,
    broken: null,
    pending: null,
    duplicates: 0,
    badMessages: 0,
    lastAckSeq: null,
    scannerDriver: 'r30x',
    cameras: [],
    verification: null,
    journalQuarantined: null,
    gaps: [],
    damaged: null,
    storage: null,
    ...overrides,
  };
}

const rooms = [
  summary({ deviceId: 'xiaozhuang', contiguousSeq: 1200, headSeq: 1250, backlog: 50 }),
  summary({
    deviceId: 'dongcun',
    state: 'offline',
    reason: 'link-lost',
    lastSeenMs: new Date(2025, 5, 3, 18, 2, 7).getTime(),
    contiguousSeq: 5,
    broken: { seq: 6, reason: 'entry 6 was changed: its content no longer matches its hash' },
  }),
  summary({
    deviceId: 'nanwan',
    state: null,
    contiguousSeq: 10,
    pending: 'entry 11 rotates to key abc, which the room has not announced yet',
  }),
];
const data = {
  brokerConnected: true,
  rooms,
  signInsToday: new Map([
    ['xiaozhuang', { real: 23, emulated: 0 }],
    ['nanwan', { real: 2, emulated: 5 }],
  ]),
  files: new Map([['dongcun', 2]]),
};

describe('the center’s live view', () => {
  afterEach(() => setLanguage('en'));

  it('shows each room with state, last seen, backlog, prefix, sign-ins today (demo ones apart), chain and files', () => {
    setLanguage('en');
    expect(renderView(data, NOW)).toBe(
      [
        'County center · broker connected · 3 rooms · 09:30:00',
        '',
        'room        state                last seen            backlog  contiguous  sign-ins today  chain                  files',
        'xiaozhuang  online               09:29:55             50       1200        23              ok                     0',
        'dongcun     offline (link-lost)  2025-06-03 18:02:07  -        5           0               broken chain at seq 6  2',
        'nanwan      unknown              09:29:55             -        10          2 (+5 demo)     waiting for a key      0',
        '',
        'dongcun: broken chain at seq 6: entry 6 was changed: its content no longer matches its hash',
        '',
      ].join('\n'),
    );
  });

  it('lines up Chinese headings by their width on a terminal', () => {
    setLanguage('zh');
    const lines = renderView(data, NOW).split('\n');
    expect(lines[0]).toBe('县级中心 · 已连接代理服务器 · 3 个活动室 · 09:30:00');
    expect(lines.slice(2, 6)).toEqual([
      '活动室      状态               最近消息             积压  连续至  今日签到         链            文件',
      'xiaozhuang  在线               09:29:55             50    1200    23               正常          0',
      'dongcun     离线（link-lost）  2025-06-03 18:02:07  -     5       0                断链于 seq 6  2',
      'nanwan      未知               09:29:55             -     10      2（另有演示 5）  等待密钥      0',
    ]);
  });

  it("lists each room's cameras under the table: state, stream, bitrate, restarts, the problem and the room's advice", () => {
    const withCameras = {
      ...data,
      rooms: [
        summary({
          deviceId: 'xiaozhuang',
          cameras: [
            {
              name: 'hall',
              state: 'live',
              video: { codec: 'h264', width: 640, height: 360, fps: 25 },
              audio: { codec: 'pcm_alaw', pushedAs: 'aac' },
              bitrateKbps: 812.4,
              restartsLastMinute: 1,
            },
            {
              name: 'door',
              state: 'failed',
              problem: 'h265-over-rtmp',
              detail: 'set the video encoding to H.264',
              restartsLastMinute: 0,
            },
          ],
        }),
      ],
    };
    setLanguage('en');
    expect(renderView(withCameras, NOW).split('\n').slice(4, 8)).toEqual([
      '',
      'xiaozhuang camera hall: live · h264 640×360 · pcm_alaw → aac · 812 kbit/s · restarts in the last minute: 1',
      'xiaozhuang camera door: failed',
      '    problem h265-over-rtmp: set the video encoding to H.264',
    ]);
    setLanguage('zh');
    expect(renderView(withCameras, NOW)).toContain(
      'xiaozhuang 摄像头 door：故障\n    问题 h265-over-rtmp：set the video encoding to H.264',
    );
  });

  it("shows each room's known gaps and, for a journal file that was damaged, an alarm", () => {
    const rollback = {
      seq: 41,
      reason: 'rollback',
      detail: 'restored from an older copy',
      continuesFrom: 30,
      lost: { fromSeq: 31, toSeq: 40 },
      heldLost: 10,
      carried: 3,
      quarantinedFile: null,
      wallMs: NOW - 60_000,
      recordedMs: NOW - 50_000,
    };
    const damaged = {
      ...rollback,
      seq: 60,
      reason: 'damaged',
      continuesFrom: 44,
      lost: { fromSeq: 45, toSeq: 59 },
      heldLost: 0,
      carried: 0,
      quarantinedFile: 'journal-20250605T0920.sqlite',
    };
    const withGaps = {
      ...data,
      rooms: [
        summary({ deviceId: 'xiaozhuang', contiguousSeq: 44, gaps: [rollback] }),
        summary({ deviceId: 'dongcun', contiguousSeq: 60, gaps: [rollback, damaged], damaged }),
      ],
    };
    setLanguage('en');
    const lines = renderView(withGaps, NOW).split('\n');
    expect(lines.slice(3, 5).map((line) => line.split(/\s{2,}/)[6])).toEqual(['ok, gaps: 1', 'damaged journal']);
    expect(lines.slice(6, 10)).toEqual([
      'xiaozhuang: gap at seq 41 (journal rolled back): seqs 31–40 skipped, 10 of them held here; 3 entries re-appended',
      'dongcun: ALARM: the journal file was damaged and set aside as journal-20250605T0920.sqlite; a new file continues at seq 60. Keep it and call the technician',
      'dongcun: gap at seq 41 (journal rolled back): seqs 31–40 skipped, 10 of them held here; 3 entries re-appended',
      'dongcun: gap at seq 60 (journal file damaged): seqs 45–59 skipped, 0 of them held here; 0 entries re-appended',
    ]);
    setLanguage('zh');
    expect(renderView(withGaps, NOW)).toContain('dongcun：警报：日志文件损坏，已隔离为 journal-20250605T0920.sqlite');
  });

  it('counts today from local midnight to the next', () => {
    const { fromMs, toMs } = todayRange(NOW);
    expect(new Date(fromMs)).toEqual(new Date(2025, 5, 5));
    expect(new Date(toMs)).toEqual(new Date(2025, 5, 6));
  });
});
