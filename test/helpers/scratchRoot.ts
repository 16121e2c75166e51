import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A scratch root for installing Debian packages without touching the machine: the files dpkg,
 * useradd --prefix and systemd-analyze --root read, and nothing else. Packages go in with
 * `dpkg --root=DIR --force-script-chrootless`: their maintainer scripts run on the host with
 * DPKG_ROOT=DIR, dpkg's convention for working on another root, and must honour it.
 */

export interface ScratchRootOptions {
  /** Groups besides root's, as on the target board (Raspberry Pi OS adds gpio; Debian has plugdev, video). */
  groups?: Record<string, number>;
  /** The target's /etc/os-release; Debian 12 unless given. */
  osRelease?: string;
}

export const DEBIAN_12_OS_RELEASE = [
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
  'NAME="Debian GNU/Linux"',
  'VERSION_ID="12"',
  'VERSION="12 (bookworm)"',
  'VERSION_CODENAME=bookworm',
  'ID=debian',
  '',
].join('\n');

const DEFAULT_GROUPS: Record<string, number> = { dialout: 20, video: 44, plugdev: 46 };

export interface ScratchRoot {
  dir: string;
  /** `dpkg --root=DIR --force-script-chrootless --force-depends ARGS`, stdin from /dev/null. */
  dpkg(...args: string[]): SpawnSyncReturns<string>;
  remove(): void;
}

export function makeScratchRoot(options: ScratchRootOptions = {}): ScratchRoot {
  const dir = mkdtempSync(join(tmpdir(), 'room-agent-root-'));
  for (const folder of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'var/log', 'etc', 'tmp'])
    mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, 'var/lib/dpkg/status'), '');
  writeFileSync(join(dir, 'var/lib/dpkg/available'), '');
  const groups = { root: 0, ...(options.groups ?? DEFAULT_GROUPS) };
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(dir, 'etc/shadow'), 'root:*:20000:0:99999:7:::\n', { mode: 0o640 });
  writeFileSync(
    join(dir, 'etc/group'),
    Object.entries(groups)
      .map(([name, gid]) => `${name}:x:${gid}:\n`)
      .join(''),
  );
  writeFileSync(
    join(dir, 'etc/gshadow'),
    Object.keys(groups)
      .map((name) => `${name}:*::\n`)
      .join(''),
    { mode: 0o640 },
  );
  writeFileSync(join(dir, 'etc/os-release'), options.osRelease ?? DEBIAN_12_OS_RELEASE);
  return {
    dir,
    dpkg: (...args) =>
      spawnSync(
        'dpkg',
        [
          `--root=${dir}`,
          `--log=${join(dir, 'var/log/dpkg.log')}`,
          '--force-script-chrootless',
          '--force-depends',
          ...args,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 },
      ),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
