import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';

/** Where the daemon's control socket listens: the configured path, or control.sock in the data directory. */
export function controlSocketPath(config: Config): string {
  return resolve(config.device.controlSocket ?? join(config.device.dataDir, 'control.sock'));
}
