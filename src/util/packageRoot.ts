import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory holding package.json above this module: the repository, or the installed package.
 * Files shipped beside the compiled code (the emulator, the county board's page) are found from it,
 * whether the code runs from src/ or dist/. Undefined when no such directory exists.
 */
export function packageRoot(): string | undefined {
  for (let directory = dirname(fileURLToPath(import.meta.url)); ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) return undefined;
  }
}

/**
 * The Debian package with what a room's device does not run: the reference county center, the
 * demo and the module emulators. Messages name it when something of it is asked for and missing.
 */
export const CENTER_PACKAGE = 'room-agent-center';
