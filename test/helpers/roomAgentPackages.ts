import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { buildOnce } from './buildOnce.js';

const run = promisify(execFile);

/**
 * The room-agent Debian packages as a release builds them: `npm run dist` (scripts/build-dist.sh)
 * compiles the tree once, scripts/build-deb.sh makes room-agent_<V>_<arch>.deb and
 * room-agent-center_<V>_all.deb of it. Both are built once per run and shared by every test file
 * (buildOnce), and kept while nothing they are made of changes. The production node_modules are
 * the suite's own, pruned of dev dependencies (build-deb.sh --modules-from).
 */

const REPO = join(import.meta.dirname, '..', '..');

/** What the dist tarball and the packages are made of: a change to any of these rebuilds them. */
const INPUTS = [
  'src',
  'drivers',
  'config',
  'systemd',
  'README.md',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'scripts/build-dist.sh',
  'scripts/build-deb.sh',
  'scripts/deb',
];

/** Generous: a cold build runs npm ci, which compiles better-sqlite3 (minutes on two busy cores). */
export const PACKAGE_BUILD_TIMEOUT_MS = 1_200_000;

function files(path: string): string[] {
  return statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .flatMap((name) => files(join(path, name)))
    : [path];
}

/** A hash of every input file's path, mode and content. */
function inputsKey(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((input) => files(join(REPO, input)))) {
    hash.update(`${relative(REPO, file)}\0${statSync(file).mode}\0`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

function onlyFile(folder: string, pattern: RegExp): string {
  const names = readdirSync(folder).filter((name) => pattern.test(name));
  if (names.length !== 1) throw new Error(`expected one ${pattern} in ${folder}, found ${names.join(', ') || 'none'}`);
  return join(folder, names[0]!);
}

/** room-agent-<version>-dist.tar.gz as `npm run dist` writes it. */
export async function distTarball(): Promise<string> {
  const folder = await buildOnce(
    'room-agent-dist',
    inputsKey(),
    async (into) => {
      await run('bash', [join(REPO, 'scripts/build-dist.sh'), '--out', into], {
        cwd: REPO,
        timeout: PACKAGE_BUILD_TIMEOUT_MS,
      });
    },
    PACKAGE_BUILD_TIMEOUT_MS,
  );
  return onlyFile(folder, /-dist\.tar\.gz$/);
}

export interface RoomAgentPackages {
  /** room-agent_<version>_<arch>.deb: what a room runs. */
  device: string;
  /** room-agent-center_<version>_all.deb: the reference center, the demo and the emulators. */
  center: string;
  /** What build-deb.sh printed on stdout: the two paths (in the folder it built into, since renamed). */
  output: string;
}

/** The packages of this tree, as package.json's version or as `version` (a "newer build"). */
export async function roomAgentPackages(version?: string): Promise<RoomAgentPackages> {
  const dist = await distTarball();
  const key = `${inputsKey()}-${version ?? 'default'}`;
  const folder = await buildOnce(
    'room-agent-debs',
    key,
    async (into) => {
      // The suite's own node_modules, compiled by `npm ci` for this machine moments ago: a second
      // npm ci would compile better-sqlite3 again for minutes of CPU the other tests need.
      const args = [
        ...[join(REPO, 'scripts/build-deb.sh'), '--dist', dist, '--out', into],
        ...['--modules-from', join(REPO, 'node_modules')],
      ];
      const { stdout } = await run('bash', version === undefined ? args : [...args, '--version', version], {
        timeout: PACKAGE_BUILD_TIMEOUT_MS,
      });
      writeFileSync(join(into, 'build-deb.out'), stdout);
    },
    PACKAGE_BUILD_TIMEOUT_MS,
  );
  return {
    device: onlyFile(folder, /^room-agent_.*\.deb$/),
    center: onlyFile(folder, /^room-agent-center_.*\.deb$/),
    output: readFileSync(join(folder, 'build-deb.out'), 'utf8'),
  };
}
