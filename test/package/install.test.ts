import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePackage } from '../helpers/nodeRelease.js';
import { PACKAGE_BUILD_TIMEOUT_MS, roomAgentPackages, type RoomAgentPackages } from '../helpers/roomAgentPackages.js';
import { makeScratchRoot, type ScratchRoot } from '../helpers/scratchRoot.js';

/**
 * The packages installed with the real dpkg into a scratch root (maintainer scripts run with
 * DPKG_ROOT set), upgraded, removed and purged; nothing touches this machine.
 */

const VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }
).version;
/** A newer build of the same tree, as a release after this one. */
const NEWER = `${VERSION}+test1`;
const UNIT = 'lib/systemd/system/room-agent.service';
/** The link `systemctl enable` makes; absolute, so it points at nothing outside the root. */
const ENABLED = 'etc/systemd/system/multi-user.target.wants/room-agent.service';

const isLink = (path: string): boolean => lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true;

function expectDpkgOk(result: ReturnType<ScratchRoot['dpkg']>): string {
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  return `${result.stdout}${result.stderr}`;
}

/** NAME's line in the root's passwd or group file, split into fields. */
function entry(root: ScratchRoot, file: 'passwd' | 'group', name: string): string[] | undefined {
  return readFileSync(join(root.dir, 'etc', file), 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name);
}

/** The installed CLI, run on the installed private Node as /usr/bin/room-agent would. */
function cli(root: ScratchRoot, ...args: string[]) {
  return spawnSync(
    join(root.dir, 'usr/lib/room-agent/node/bin/node'),
    [join(root.dir, 'usr/lib/room-agent/dist/src/cli/main.js'), ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
  );
}

/**
 * `systemd-analyze verify --root` on the installed unit. The root gets this machine's targets
 * first, as a Debian with systemd has them: the unit's default dependencies (sysinit.target,
 * basic.target, shutdown.target) must exist for the check to build its start job.
 */
function verify(root: ScratchRoot) {
  const units = '/lib/systemd/system';
  for (const target of readdirSync(units).filter((name) => name.endsWith('.target')))
    copyFileSync(join(units, target), join(root.dir, units, target));
  return spawnSync('systemd-analyze', ['verify', `--root=${root.dir}`, `/${UNIT}`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('installing the packages into a scratch root', () => {
  let packages: RoomAgentPackages;
  let newer: RoomAgentPackages;
  let nodeDeb: string;
  let root: ScratchRoot;
  /**
   * This machine's room-agent account lines: the maintainer scripts ran with DPKG_ROOT and must not
   * add or change them (other lines are other tests' business on a shared machine).
   */
  const hostAccount = () =>
    ['/etc/passwd', '/etc/group', '/etc/shadow'].map((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^room-agent:|[:,]room-agent(,|$)/.test(line)),
    );
  const hostBefore = hostAccount();

  beforeAll(async () => {
    nodeDeb = await nodePackage();
    // One after the other: the newer build reuses the first one's node_modules instead of a second npm ci.
    packages = await roomAgentPackages();
    newer = await roomAgentPackages(NEWER);
    root = makeScratchRoot();
  }, PACKAGE_BUILD_TIMEOUT_MS);

  afterAll(() => root?.remove());

  it('dpkg installs Node and the device package, with no prompt and nothing done on this machine', () => {
    expectDpkgOk(root.dpkg('-i', nodeDeb, packages.device));
    expect(hostAccount()).toEqual(hostBefore);
  });

  it('the system user room-agent: its own group, home /var/lib/room-agent, no login, and only the groups it needs', () => {
    const user = entry(root, 'passwd', 'room-agent')!;
    expect(user).toBeDefined();
    const [, , uid, gid, , home, shell] = user;
    expect(Number(uid)).toBeLessThan(1000);
    expect(home).toBe('/var/lib/room-agent');
    expect(shell).toBe('/usr/sbin/nologin');
    expect(entry(root, 'group', 'room-agent')?.[2]).toBe(gid);
    // The scratch root is Debian: dialout, video and plugdev exist, gpio does not (and is not made).
    for (const group of ['dialout', 'video', 'plugdev'])
      expect(entry(root, 'group', group)?.[3], group).toBe('room-agent');
    expect(entry(root, 'group', 'gpio')).toBeUndefined();
  });

  it('/var/lib/room-agent belongs to room-agent, mode 0750; /etc/room-agent exists and holds no configuration', () => {
    const [, , uid, gid] = entry(root, 'passwd', 'room-agent')!;
    const data = statSync(join(root.dir, 'var/lib/room-agent'));
    expect(data.isDirectory()).toBe(true);
    expect(data.mode & 0o7777).toBe(0o750);
    expect([data.uid, data.gid]).toEqual([Number(uid), Number(gid)]);
    expect(statSync(join(root.dir, 'etc/room-agent')).isDirectory()).toBe(true);
    expect(existsSync(join(root.dir, 'etc/room-agent/config.yaml'))).toBe(false);
  });

  it('the unit and udev rules are in place and the unit is enabled', () => {
    expect(existsSync(join(root.dir, UNIT))).toBe(true);
    expect(existsSync(join(root.dir, 'lib/udev/rules.d/60-room-agent-scanners.rules'))).toBe(true);
    expect(existsSync(join(root.dir, 'lib/udev/rules.d/70-room-agent-keyboard-reader.rules'))).toBe(true);
    expect(readlinkSync(join(root.dir, ENABLED))).toBe('/lib/systemd/system/room-agent.service');
  });

  it("systemd-analyze verify passes on the installed unit, and fails once ExecStart's node is missing", () => {
    const ok = verify(root);
    expect(ok.status, ok.stderr).toBe(0);
    const node = join(root.dir, 'usr/lib/room-agent/node/bin/node');
    renameSync(node, `${node}.away`);
    try {
      const missing = verify(root);
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain('/usr/lib/room-agent/node/bin/node');
    } finally {
      renameSync(`${node}.away`, node);
    }
  });

  it("the node in the unit's ExecStart reports version 20 or later", () => {
    const execStart = /^ExecStart=(\S+)/m.exec(readFileSync(join(root.dir, UNIT), 'utf8'))![1]!;
    expect(execStart).toBe('/usr/lib/room-agent/node/bin/node');
    const version = spawnSync(join(root.dir, execStart), ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(Number(/^v(\d+)\./.exec(version)?.[1])).toBeGreaterThanOrEqual(20);
  });

  it("the installed unit's offline exposure is at most 2.5", () => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=true', join(root.dir, UNIT)], {
      encoding: 'utf8',
    });
    const exposure = Number(/Overall exposure level for room-agent\.service: ([\d.]+)/.exec(result.stdout)?.[1]);
    expect(exposure).toBeGreaterThan(0);
    expect(exposure).toBeLessThanOrEqual(2.5);
  });

  it('without room-agent-center, the center and demo commands name the package to install, in both languages', () => {
    for (const args of [['center', '--broker', 'mqtt://127.0.0.1:1'], ['center', 'keygen'], ['demo']]) {
      const en = cli(root, '--lang', 'en', ...args);
      expect(en.status, en.stderr).toBe(72);
      expect(en.stderr).toMatch(
        /^room-agent: room-agent (center|demo)\S* .*is in the room-agent-center package.*sudo apt install room-agent-center\n$/,
      );
      expect(en.stderr).not.toMatch(/\n\s+at /);
      const zh = cli(root, '--lang', 'zh', ...args);
      expect(zh.status).toBe(72);
      expect(zh.stderr).toContain('room-agent-center 软件包');
    }
    // Every other command still loads: help lists the center's commands from their heads.
    const help = cli(root, '--lang', 'en', 'help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('room-agent center keygen --out FILE');
  });

  it('config check of a configuration with the emulator driver says which package has the emulator', () => {
    const config = join(root.dir, 'tmp/emulator.yaml');
    writeFileSync(
      config,
      'version: 1\ndevice:\n  id: room-test\n  dataDir: /tmp/data\ncounty:\n  url: mqtt://127.0.0.1:1883\nscanner:\n  driver: emulator\n',
    );
    const result = cli(root, '--lang', 'en', 'config', 'check', config);
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(/scanner\.driver: emulator .*room-agent-center package/);
  });

  it('with room-agent-center, the center commands run from the same tree', () => {
    expectDpkgOk(root.dpkg('-i', packages.center));
    const result = cli(root, '--lang', 'en', 'center', 'keygen');
    // Loaded and run: its own usage error, no longer the missing package.
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('--out FILE is required');
  });

  it('an upgrade to a newer build, stdin from /dev/null, exits 0 and leaves the edited configuration byte-identical', () => {
    const config = join(root.dir, 'etc/room-agent/config.yaml');
    const secrets = join(root.dir, 'etc/room-agent/secrets.env');
    const configText =
      '# edited by the technician\nversion: 1\ndevice:\n  id: room-7\ncounty:\n  url: mqtts://county:8883\n';
    writeFileSync(config, configText, { mode: 0o640 });
    writeFileSync(secrets, 'ROOM_AGENT_COUNTY_PASSWORD=secret\n', { mode: 0o600 });
    writeFileSync(join(root.dir, 'var/lib/room-agent/journal.db'), 'journal');
    const output = expectDpkgOk(root.dpkg('-i', newer.device, newer.center));
    expect(output).not.toMatch(/conffile|\*\*\*/i);
    expect(readFileSync(config, 'utf8')).toBe(configText);
    expect(readFileSync(secrets, 'utf8')).toBe('ROOM_AGENT_COUNTY_PASSWORD=secret\n');
    const status = root.dpkg('-s', 'room-agent');
    expect(status.stdout).toContain(`Version: ${NEWER}`);
  });

  it('remove keeps the data and the configuration; purge deletes them', () => {
    expectDpkgOk(root.dpkg('-r', 'room-agent-center', 'room-agent'));
    expect(existsSync(join(root.dir, 'usr/lib/room-agent/dist'))).toBe(false);
    expect(readFileSync(join(root.dir, 'var/lib/room-agent/journal.db'), 'utf8')).toBe('journal');
    expect(existsSync(join(root.dir, 'etc/room-agent/config.yaml'))).toBe(true);
    expect(entry(root, 'passwd', 'room-agent')).toBeDefined();

    expectDpkgOk(root.dpkg('-P', 'room-agent'));
    expect(existsSync(join(root.dir, 'var/lib/room-agent'))).toBe(false);
    expect(existsSync(join(root.dir, 'etc/room-agent'))).toBe(false);
    expect(isLink(join(root.dir, ENABLED))).toBe(false);
    // remove masked the unit (its file was gone); purge lifts the mask too.
    expect(isLink(join(root.dir, 'etc/systemd/system/room-agent.service'))).toBe(false);
  });
});

describe('installing on Raspberry Pi OS groups', () => {
  let root: ScratchRoot;

  afterAll(() => root?.remove());

  it(
    'joins gpio where the board has it, and creates no group it lacks',
    async () => {
      const packages = await roomAgentPackages();
      const nodeDeb = await nodePackage();
      root = makeScratchRoot({ groups: { dialout: 20, gpio: 997 } });
      expectDpkgOk(root.dpkg('-i', nodeDeb, packages.device));
      expect(entry(root, 'group', 'gpio')?.[3]).toBe('room-agent');
      expect(entry(root, 'group', 'dialout')?.[3]).toBe('room-agent');
      expect(entry(root, 'group', 'video')).toBeUndefined();
      expect(entry(root, 'group', 'plugdev')).toBeUndefined();
    },
    PACKAGE_BUILD_TIMEOUT_MS,
  );
});

describe('installing where a room-agent group was left behind', () => {
  let root: ScratchRoot;

  afterAll(() => root?.remove());

  it(
    'creates the user into that group instead of failing the configure',
    async () => {
      const packages = await roomAgentPackages();
      const nodeDeb = await nodePackage();
      root = makeScratchRoot({ groups: { dialout: 20, 'room-agent': 990 } });
      expectDpkgOk(root.dpkg('-i', nodeDeb, packages.device));
      expect(entry(root, 'passwd', 'room-agent')?.[3]).toBe('990');
      expect(entry(root, 'group', 'dialout')?.[3]).toBe('room-agent');
      expect(readFileSync(join(root.dir, 'etc/group'), 'utf8').match(/^room-agent:/gm)).toHaveLength(1);
    },
    PACKAGE_BUILD_TIMEOUT_MS,
  );
});
