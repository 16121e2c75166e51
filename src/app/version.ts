import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The installed package's version, from package.json next to dist/ (both are shipped together):
 * dist/src/app/version.js → ../../../package.json.
 */
export function agentVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
