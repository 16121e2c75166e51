import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The smallest valid configuration with its data in `dataDir`, written to `<dir>/config.yaml`. */
export function writeMinimalConfig(dir: string, dataDir: string): string {
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    `version: 1\ndevice:\n  id: room-test\n  dataDir: ${dataDir}\ncounty:\n  url: mqtt://127.0.0.1:1883\n`,
  );
  return file;
}
