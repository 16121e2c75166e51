import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentError, ErrorCode } from '../errors.js';

let cached: string | undefined;

/**
 * The installed package's version, from the package.json above this module: the one shipped next
 * to dist/ (dist/src/app/version.js), or the repository's when the sources run directly (tests).
 */
export function agentVersion(): string {
  cached ??= (JSON.parse(readFileSync(packageJsonPath(), 'utf8')) as { version: string }).version;
  return cached;
}

function packageJsonPath(): string {
  for (let directory = dirname(fileURLToPath(import.meta.url)); ; directory = dirname(directory)) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(directory) === directory) {
      throw new AgentError(
        ErrorCode.Internal,
        `no package.json above ${fileURLToPath(import.meta.url)}: the installation is incomplete`,
      );
    }
  }
}
