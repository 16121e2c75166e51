import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUILD_CACHE, buildOnce } from './buildOnce.js';
import { debianArchitecture } from './nodeRelease.js';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');

/**
 * What `npm run dist` and scripts/build-deb.sh make the packages of, but the README: it changes
 * often, and an older copy of it under /usr/share/doc is no difference a test could see.
 */
const PACKAGE_INPUTS = [
  'src',
  'drivers',
  'config',
  'systemd',
  'scripts/build-dist.sh',
  'scripts/build-deb.sh',
  'scripts/deb',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
];

/** A hash of the package inputs as they are in the working tree (edits not yet committed too). */
function inputsKey(): string {
  const files = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', ...PACKAGE_INPUTS],
    { cwd: REPO, encoding: 'utf8' },
  )
    .split('\0')
    .filter((file) => file !== '')
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    try {
      hash.update(readFileSync(join(REPO, file)));
    } catch {
      hash.update('deleted');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

export interface RoomAgentPackages {
  /** room-agent_<version>_<arch>.deb: what a room runs. */
  device: string;
  /** room-agent-center_<version>_all.deb: the reference center and the demo. */
  center: string;
}

/**
 * The room-agent and room-agent-center packages of this tree for this machine's architecture, as a
 * release makes them: `npm run dist`'s tarball, then scripts/build-deb.sh on it. Built once per
 * change of their inputs; the production node_modules (minutes of compiling) are kept across builds
 * by build-deb.sh's ROOM_AGENT_MODULES_CACHE.
 */
export async function roomAgentPackages(arch = debianArchitecture()): Promise<RoomAgentPackages> {
  const folder = await buildOnce('room-agent-debs', `${arch}-${inputsKey()}`, async (into) => {
    const { stdout } = await run('bash', [join(REPO, 'scripts/build-dist.sh'), '--out', into], {
      cwd: REPO,
      timeout: 600_000,
    });
    const dist = stdout.trim().split('\n').pop()!;
    await run('bash', [join(REPO, 'scripts/build-deb.sh'), '--dist', dist, '--out', into], {
      env: { ...process.env, ROOM_AGENT_MODULES_CACHE: join(BUILD_CACHE, 'node-modules') },
      timeout: 900_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  });
  const find = (prefix: string) => {
    const names = readdirSync(folder).filter((name) => name.startsWith(prefix) && name.endsWith('.deb'));
    if (names.length !== 1)
      throw new Error(`expected one ${prefix}*.deb in ${folder}, found ${names.join(', ') || 'none'}`);
    return join(folder, names[0]!);
  };
  return { device: find('room-agent_'), center: find('room-agent-center_') };
}
