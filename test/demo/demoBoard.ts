import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { DEMO_DEVICE_ID } from '../../src/demo/config.js';
import { launchChromium } from '../helpers/chromium.js';
import { REPO_ROOT } from '../helpers/cli.js';

/** What the demo's county board showed in a real browser while the story played. */
export interface BoardSeen {
  /** The live video's time and decoded frames, twice, some seconds apart, while the activity ran. */
  live: { first: VideoSample; later: VideoSample } | undefined;
  /** The newest photo's size as the browser decoded it, once no live picture was shown any more. */
  photoAfter: { width: number; height: number } | undefined;
  /** What went wrong, for the failure message. */
  problem: string | undefined;
}

export interface VideoSample {
  currentTime: number;
  frames: number;
  width: number;
}

const TILE = `article[data-room="${DEMO_DEVICE_ID}"]`;
const SAMPLE_GAP_MS = 4_000;

/** Browser-side expressions (the tests compile without the DOM's types). */
const VIDEO = `document.querySelector('${TILE} video')`;
const PHOTO = `document.querySelector('${TILE} .photos img')`;

async function sample(page: Page): Promise<VideoSample | undefined> {
  return (await page.evaluate(
    `(${VIDEO} ?? undefined) && { currentTime: ${VIDEO}.currentTime, frames: ${VIDEO}.getVideoPlaybackQuality().totalVideoFrames, width: ${VIDEO}.videoWidth }`,
  )) as VideoSample | undefined;
}

/**
 * Opens the board the demo printed in Debian's chromium (headless) and watches the room's tile:
 * a playing live video during the activity, then, once the activity is over and the video gone,
 * the meeting photo. Keeps a screenshot of each moment in test-artifacts/ (ignored by git).
 */
export async function watchDemoBoard(boardUrl: string, deadlineMs: number): Promise<BoardSeen> {
  const seen: BoardSeen = { live: undefined, photoAfter: undefined, problem: undefined };
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(boardUrl);
    const artifacts = join(REPO_ROOT, 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    const left = (): number => Math.max(1, deadlineMs - Date.now());
    await page.waitForFunction(`(${VIDEO}?.currentTime ?? 0) > 1`, { timeout: left(), polling: 250 });
    const first = await sample(page);
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_GAP_MS));
    const later = await sample(page);
    if (first !== undefined && later !== undefined) seen.live = { first, later };
    await page.screenshot({ path: join(artifacts, 'demo-board-live.png') });
    await page.waitForFunction(`${VIDEO} === null && ${PHOTO}?.complete && ${PHOTO}.naturalWidth > 0`, {
      timeout: left(),
      polling: 250,
    });
    seen.photoAfter = (await page.evaluate(`({ width: ${PHOTO}.naturalWidth, height: ${PHOTO}.naturalHeight })`)) as {
      width: number;
      height: number;
    };
    await page.screenshot({ path: join(artifacts, 'demo-board-photo.png') });
  } catch (error) {
    seen.problem = (error as Error).message;
  } finally {
    await browser.close();
  }
  return seen;
}
