import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

/**
 * The command line of `room-agent provision --non-interactive` for a test about one part (the
 * scanner, the cameras): the example configuration (comments and all) copied to `dir`, the
 * secrets and data folder beside it, nobody as the service user, and a broker that cannot be
 * reached, kept with --allow-unreachable. `extra` adds the flags of the part under test.
 */
export function provisionArgs(dir: string, extra: readonly string[]): { config: string; args: string[] } {
  const config = join(dir, 'config.yaml');
  copyFileSync(join(REPO_ROOT, 'config/room-agent.example.yaml'), config);
  return {
    config,
    args: [
      'provision',
      '--non-interactive',
      ...['--config', config, '--secrets', join(dir, 'secrets.env'), '--data-dir', join(dir, 'data')],
      ...['--service-user', '65534:65534', '--broker', 'mqtt://127.0.0.1:1', '--allow-unreachable'],
      ...extra,
    ],
  };
}
