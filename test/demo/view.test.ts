import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '../../src/i18n.js';
import { displayWidth } from '../../src/util/displayWidth.js';
import { renderView, VIEW_WIDTH, type ViewData } from '../../src/demo/view.js';

const NOW = new Date(2026, 11, 7, 10, 30, 0).getTime();

function data(overrides: Partial<ViewData> = {}): ViewData {
  return {
    nowMs: NOW,
    roomName: '红旗村党群服务中心（演示）',
    round: 1,
    status: undefined,
    linkCut: true,
    recent: [
      { seq: 17, wallMs: NOW - 60_000, kind: 'accepted', memberId: 'M001', confirmedBy: null },
      { seq: 18, wallMs: NOW - 50_000, kind: 'unknown', memberId: null, confirmedBy: null },
      { seq: 19, wallMs: NOW - 40_000, kind: 'manual', memberId: 'M005', confirmedBy: 'S001' },
    ],
    center: undefined,
    centerSignInsToday: undefined,
    story: [{ wallMs: NOW - 5_000, text: '4G 信号中断 20 秒：签到照常进行，记录在本地日志中排队'.repeat(3) }],
    cameraMissing: [],
    boardUrl: 'http://127.0.0.1:41234/',
    dir: '/a/rather/long/path/to/the/demo/folder/that/goes/on/and/on/.demo-data',
    ...overrides,
  };
}

describe('the demo terminal view', () => {
  afterEach(() => setLanguage('en'));

  for (const language of ['zh', 'en'] as const) {
    it(`fits ${VIEW_WIDTH} columns in ${language}, CJK characters counted as two`, () => {
      setLanguage(language);
      const frame = renderView(data());
      for (const line of frame.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(VIEW_WIDTH);
    });
  }

  it('names members, the confirming secretary and an unknown finger; says when the agent does not answer', () => {
    setLanguage('zh');
    const frame = renderView(data());
    expect(frame).toContain('李秀英');
    expect(frame).toContain('人工签到（王建国 确认）');
    expect(frame).toContain('访客');
    expect(frame).toContain('代理无应答');
    expect(frame).toContain('尚未收到活动室消息');
  });

  it('keeps every label apart from its value in English too', () => {
    setLanguage('en');
    expect(renderView(data())).toMatch(/^Scanner {2,}agent not answering$/m);
    expect(renderView(data())).toMatch(/^County {2,}nothing from the room yet$/m);
  });
});
