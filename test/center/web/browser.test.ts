import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayRange } from '../../../src/center/liveView.js';
import { makeTempDir } from '../../helpers/cli.js';
import { FakeClock } from '../../helpers/fakeClock.js';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';
import { openJournal } from '../../journal/helpers.js';
import { FakeRoom } from '../helpers.js';
import { BOARD_ARTIFACTS, launchChromium, spawnBoardCenter, type BoardCenter } from './boardRig.js';

const XSS = '<img src=x onerror=alert(1)>';

/** The center's own count of a room's real sign-ins today, read from its database file. */
function realSignInsInDb(dbFile: string, deviceId: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const { fromMs, toMs } = todayRange(Date.now());
    return db
      .prepare(
        `SELECT count(*) FROM events WHERE device_id = ? AND type IN ('signin.accepted', 'signin.manual')
         AND wall_ms >= ? AND wall_ms < ? AND json_extract(payload, '$.emulated') IS NOT 1`,
      )
      .pluck()
      .get(deviceId, fromMs, toMs) as number;
  } finally {
    db.close();
  }
}

/** A browser-side condition: the room's tile shows `count` sign-ins. */
function countIs(deviceId: string, count: number): string {
  return `document.querySelector('article[data-room="${deviceId}"] .count .number')?.textContent === '${count}'`;
}

/** The text of every element `selector` finds, read in the page. */
async function texts(page: Page, selector: string): Promise<string[]> {
  return (await page.evaluate(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].map((node) => node.textContent)`,
  )) as string[];
}

async function tileCount(page: Page, deviceId: string): Promise<string | undefined> {
  return (await texts(page, `article[data-room="${deviceId}"] .count .number`))[0];
}

describe('the county board in a real browser (Debian chromium, headless)', () => {
  let broker: Mosquitto;
  let temp: { dir: string; cleanup: () => void };
  let center: BoardCenter;
  let browser: Browser;
  let room: FakeRoom;
  let clock: FakeClock;

  beforeAll(async () => {
    broker = await startMosquitto();
    temp = makeTempDir('center-board-');
    center = await spawnBoardCenter(broker.url, join(temp.dir, 'center.sqlite'), ['--http', '127.0.0.1:0']);
    clock = new FakeClock({ wallMs: Date.now() });
    const journal = openJournal(join(temp.dir, 'xiaozhuang'), clock);
    journal.append('member.upserted', { memberId: '10001', name: '张秀英', role: 'member', status: 'active' });
    journal.append('member.upserted', { memberId: '10002', name: XSS, role: 'member', status: 'active' });
    journal.append('activity.started', { activityId: 'act-1', type: 'meeting', title: XSS, source: 'cli' });
    journal.append('signin.accepted', {
      memberId: '10001',
      slot: 1,
      score: 120,
      activityId: 'act-1',
      method: 'fingerprint',
    });
    journal.append('signin.accepted', {
      memberId: '10002',
      slot: 2,
      score: 110,
      activityId: 'act-1',
      method: 'fingerprint',
      emulated: true,
    });
    room = await FakeRoom.connect(broker.url, 'xiaozhuang', journal);
    await room.publishState();
    await room.publishBatch(1, journal.head().seq, 'live');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await room?.close();
    await center?.stop();
    await broker?.stop();
    temp?.cleanup();
  });

  it('shows new sign-ins live, counts as the database does, renders names as text and asks only the center', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1600, height: 1000 });
    const origin = new URL(center.url).origin;
    const requested: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      requested.push(request.url());
      // Anything for another host would be refused here, and show in the list.
      if (new URL(request.url()).origin === origin) void request.continue();
      else void request.abort();
    });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    await page.goto(center.url, { waitUntil: 'load' });
    await page.waitForSelector('article[data-room="xiaozhuang"]', { timeout: 15_000 });
    await page.waitForFunction(countIs('xiaozhuang', 1), { timeout: 15_000 });
    expect(await tileCount(page, 'xiaozhuang')).toBe(String(realSignInsInDb(center.dbFile, 'xiaozhuang')));
    // The emulated sign-in is counted apart and marked.
    expect(await texts(page, 'article[data-room="xiaozhuang"] .count .badge.demo')).toEqual(['另有演示 1']);

    // A new sign-in reaches the open page without a reload.
    await page.evaluate("window.boardMarker = 'same page'");
    clock.advance(60_000);
    room.journal.append('signin.accepted', {
      memberId: '10002',
      slot: 2,
      score: 99,
      activityId: 'act-1',
      method: 'fingerprint',
    });
    await room.publishBatch(room.journal.head().seq, room.journal.head().seq, 'live');
    await page.waitForFunction(countIs('xiaozhuang', 2), { timeout: 15_000 });
    expect(await page.evaluate('window.boardMarker')).toBe('same page');
    expect(await tileCount(page, 'xiaozhuang')).toBe(String(realSignInsInDb(center.dbFile, 'xiaozhuang')));

    // The member's name and the activity title are text, never markup.
    expect(await texts(page, 'article[data-room="xiaozhuang"] .signin .name')).toEqual([XSS, XSS, '张秀英']);
    expect(await texts(page, 'article[data-room="xiaozhuang"] .activity .title')).toEqual([XSS]);
    expect(await texts(page, 'img')).toEqual([]);
    expect(dialogs).toEqual([]);

    // English is one click away, from the same data.
    await page.click('#language');
    await page.waitForFunction("document.documentElement.lang === 'en'");
    expect(await texts(page, 'article[data-room="xiaozhuang"] .count .badge.demo')).toEqual(['+1 demo']);
    await page.click('#language');
    await page.waitForFunction("document.documentElement.lang === 'zh-CN'");

    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    mkdirSync(BOARD_ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(BOARD_ARTIFACTS, 'county-board.png'), fullPage: true });
    await page.close();
  });

  it("shows each camera's state, stream and the problem's advice from the room's health", async () => {
    await room.publishHealth([
      {
        name: 'hall',
        state: 'live',
        video: { codec: 'h264', width: 640, height: 360, fps: 25 },
        audio: { codec: 'pcm_alaw', pushedAs: 'aac' },
        bitrateKbps: 812.4,
        restartsLastMinute: 0,
      },
      {
        name: 'door',
        state: 'failed',
        problem: 'h265-over-rtmp',
        detail: `the camera sends H.265, which RTMP cannot carry: set its video encoding to H.264 ${XSS}`,
        restartsLastMinute: 2,
      },
    ]);
    const page = await browser.newPage();
    await page.goto(center.url, { waitUntil: 'load' });
    const tile = 'article[data-room="xiaozhuang"]';
    await page.waitForSelector(`${tile} li.camera[data-camera="door"]`, { timeout: 15_000 });
    expect(await texts(page, `${tile} li.camera[data-camera="hall"] .state`)).toEqual(['直播中']);
    expect(await texts(page, `${tile} li.camera[data-camera="hall"] .stream`)).toEqual([
      'h264 640×360 · pcm_alaw → aac · 812 kbit/s',
    ]);
    expect(await texts(page, `${tile} li.camera[data-camera="door"] .state`)).toEqual(['故障']);
    expect(await texts(page, `${tile} li.camera[data-camera="door"] .problem`)).toEqual(['H.265 无法经 RTMP 推送']);
    expect(await texts(page, `${tile} li.camera[data-camera="door"] .advice`)).toEqual([
      `the camera sends H.265, which RTMP cannot carry: set its video encoding to H.264 ${XSS}`,
    ]);
    expect(await texts(page, `${tile} li.camera[data-camera="door"] .stream`)).toEqual(['1 分钟内重启 2 次']);
    expect(await texts(page, 'img')).toEqual([]);

    // A camera that comes back is redrawn live, in place.
    await room.publishHealth([{ name: 'door', state: 'live', restartsLastMinute: 2 }]);
    await page.waitForFunction(
      `document.querySelector('${tile} li.camera[data-camera="door"]')?.dataset.state === 'live'`,
      { timeout: 15_000 },
    );
    expect(await texts(page, `${tile} li.camera .name`)).toEqual(['door']);
    await page.close();
  });

  it("shows the room's own verification of its chain from its health: a break its full walk found", async () => {
    const tile = 'article[data-room="xiaozhuang"]';
    const page = await browser.newPage();
    await room.publishHealth();
    await page.goto(center.url, { waitUntil: 'load' });
    await page.waitForSelector(`${tile} .room-check-partial`, { timeout: 15_000 });
    // The fake room's journal: checked at open, never walked whole.
    expect(await texts(page, `${tile} .room-check dd`)).toEqual(['尚未完整校验']);

    const reason = `entry 6 was changed: its content no longer matches its hash ${XSS}`;
    await room.publishHealth([], {
      lastCheck: { mode: 'incremental', wallMs: Date.now(), checkedFrom: 42, checkedTo: 45, broken: null },
      lastFull: {
        wallMs: Date.now(),
        startedWallMs: Date.now(),
        trigger: 'changed-while-stopped',
        checkedFrom: 1,
        checkedTo: 5,
        broken: { seq: 6, reason },
      },
      running: null,
    });
    await page.waitForSelector(`${tile}.broken .room-check-broken`, { timeout: 15_000 });
    expect(await texts(page, `${tile} .room-check dd`)).toEqual(['发现断链于 seq 6']);
    expect(await page.evaluate(`document.querySelector('${tile} .room-check').title`)).toBe(reason);
    expect(await texts(page, 'img')).toEqual([]);
    await page.close();
  });

  it('refuses the page and the live stream on a non-loopback address without the token, and opens with it', async () => {
    const token = 'county-screen-token-0123456789';
    const exposed = await spawnBoardCenter(
      broker.url,
      join(temp.dir, 'exposed.sqlite'),
      ['--http', '0.0.0.0:0', '--http-public', '--prefix', 'exposed'],
      { ROOM_AGENT_HTTP_TOKEN: token },
    );
    try {
      const local = exposed.url.replace('0.0.0.0', '127.0.0.1');
      for (const path of ['', 'api/live', 'api/board']) {
        expect((await fetch(`${local}${path}`)).status).toBe(401);
        expect((await fetch(`${local}${path}?token=${token}`)).status).toBe(401);
        expect(
          (await fetch(`${local}${path}`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
        ).toBe(401);
      }
      const page = await browser.newPage();
      await page.goto(local, { waitUntil: 'load' });
      await page.waitForSelector('#token');
      await page.type('#token', token);
      await page.click('#submit');
      await page.waitForSelector('#rooms', { timeout: 15_000 });
      await page.waitForFunction("document.querySelector('#broker')?.textContent === '已连接代理服务器'", {
        timeout: 15_000,
      });
      await page.close();
    } finally {
      await exposed.stop();
    }
  });
});
