import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { AgentError, ErrorCode } from '../../errors.js';
import { packageRoot } from '../../util/packageRoot.js';
import { webText } from './messages.js';

export interface Asset {
  body: Buffer;
  type: string;
}

/** Where the page files live in the source tree and the package; dist/ holds only compiled code. */
const ASSET_DIR = join('src', 'center', 'web', 'assets');

/** Every file the page needs, by URL path. Nothing else is served: no directory walks, no guessing. */
const FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/login': 'login.html',
  '/board.css': 'board.css',
  '/board.js': 'board.js',
  '/chart.js': 'chart.js',
  '/strings.js': 'strings.js',
  '/login.js': 'login.js',
};

/**
 * Page code that comes from a package, as the package builds it, found where Node finds the
 * package: hls.js plays the rooms' live HLS through Media Source Extensions, which browsers other
 * than Safari need (Chromium lists HLS as playable and does not play it). Its light build: no
 * subtitles, alternative audio or DRM, which no room camera sends.
 */
const PACKAGE_FILES: Readonly<Record<string, string>> = {
  '/hls.js': 'hls.js/dist/hls.light.min.mjs',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
};

/** Reads the page files once at start: a missing file fails the start, not a screen at night. */
export function loadAssets(): Map<string, Asset> {
  const root = packageRoot();
  const require = createRequire(import.meta.url);
  const assets = new Map<string, Asset>();
  const files = [
    ...Object.entries(FILES).map(([path, name]) => {
      const file = join(root ?? '.', ASSET_DIR, name);
      return [path, file, () => file] as const;
    }),
    ...Object.entries(PACKAGE_FILES).map(([path, spec]) => [path, spec, () => require.resolve(spec)] as const),
  ];
  for (const [path, file, locate] of files) {
    try {
      const found = locate();
      assets.set(path, { body: readFileSync(found), type: TYPES[extname(found)]! });
    } catch (error) {
      throw new AgentError(ErrorCode.CenterHttpAssets, webText('assetsMissing', { file }), { file }, { cause: error });
    }
  }
  return assets;
}
