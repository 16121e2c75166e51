import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { overrideFiles } from '../../src/config/overrideFiles.js';

/** The smallest valid configuration; tests add or break one thing at a time. */
export const MINIMAL_CONFIG = `version: 1
device:
  id: yx-test-01
county:
  url: mqtts://mqtt.county.example:8883
`;

/** Writes `text` as `name` in `dir` and returns its path. */
export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Every file under `dir` with its bytes, to prove an operation changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files[path] = readFileSync(path).toString('base64');
    }
  }
  return files;
}

/** A room: a valid main file and a data directory, as `run --config … --data-dir …` gets them. */
export function makeRoom(dir: string, configText = MINIMAL_CONFIG) {
  const configPath = writeFile(dir, 'config.yaml', configText);
  const dataDir = join(dir, 'data');
  const files = overrideFiles(dataDir);
  mkdirSync(files.directory, { recursive: true });
  return { configPath, dataDir, files, options: { dataDir, env: {} } };
}
