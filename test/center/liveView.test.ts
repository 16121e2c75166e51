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
    journalQuarantined: null,
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

  it('counts today from local midnight to the next', () => {
    const { fromMs, toMs } = todayRange(NOW);
    expect(new Date(fromMs)).toEqual(new Date(2025, 5, 5));
    expect(new Date(toMs)).toEqual(new Date(2025, 5, 6));
  });
});
