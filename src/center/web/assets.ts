import { readFileSync } from 'node:fs';
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

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** Reads the page files once at start: a missing file fails the start, not a screen at night. */
export function loadAssets(): Map<string, Asset> {
  const root = packageRoot();
  const assets = new Map<string, Asset>();
  for (const [path, name] of Object.entries(FILES)) {
    const file = join(root ?? '.', ASSET_DIR, name);
    try {
      assets.set(path, { body: readFileSync(file), type: TYPES[extname(name)]! });
    } catch (error) {
      throw new AgentError(ErrorCode.CenterHttpAssets, webText('assetsMissing', { file }), { file }, { cause: error });
    }
  }
  return assets;
}
