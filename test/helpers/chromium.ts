/**
 * Debian's chromium, headless, for the county board's browser test and benchmark (re-used by
 * test/center/web): puppeteer-core drives it; nothing downloads a browser of its own.
 */
import puppeteer, { type Browser } from 'puppeteer-core';

/** `apt-get install chromium`; CHROMIUM_PATH names another. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * No request of the browser's own (updates, safe browsing, sync): whatever reaches the network
 * comes from the page. No sandbox: tests and benchmarks may run as root in a container.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
  '--no-first-run',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}
