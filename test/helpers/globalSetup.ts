import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Tests spawn the compiled CLI, as systemd would run it. scripts/test.sh builds (and fails on
 * type errors) before vitest starts and sets ROOM_AGENT_SKIP_BUILD; a bare `vitest run` builds here.
 */
export default function setup(): void {
  if (process.env.ROOM_AGENT_SKIP_BUILD === '1') return;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const result = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0)
    process.stderr.write(`tsc reported errors (build emitted anyway):\n${result.stdout}${result.stderr}\n`);
}
