import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { debianArchitecture, nodePackage } from '../helpers/nodeRelease.js';
import { roomAgentPackages } from '../helpers/roomAgentPackages.js';
import { makeScratchRoot, type ScratchRoot } from '../helpers/scratchRoot.js';

// scripts/install.sh from the folder scripts/build-usb.sh writes, into scratch roots: the real
// room-agent-node and room-agent packages, dpkg --root, and sysfs, /proc and the architecture as
// fixtures.
const ARCH = debianArchitecture();

let work: string;
let usb: string;
let sys: string;
let nodeDeb: string;
let agentDeb: string;
const roots: ScratchRoot[] = [];

const field = (deb: string, name: string) => execFileSync('dpkg-deb', ['-f', deb, name], { encoding: 'utf8' }).trim();

function scratchRoot(osRelease?: string): ScratchRoot {
  const root = makeScratchRoot(osRelease === undefined ? {} : { osRelease });
  roots.push(root);
  return root;
}

/** install.sh of FOLDER (the USB folder unless given), run as root; `path` goes before PATH (shims). */
function install(args: string[], options: { folder?: string; path?: string; uid?: number } = {}) {
  const script = join(options.folder ?? usb, 'install.sh');
  const command =
    options.uid === undefined
      ? ['bash', script, ...args]
      : ['setpriv', `--reuid=${options.uid}`, `--regid=${options.uid}`, '--clear-groups', 'bash', script, ...args];
  return spawnSync(command[0]!, command.slice(1), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: [options.path, process.env.PATH].filter(Boolean).join(':') },
    timeout: 300_000,
  });
}

const lines = (result: SpawnSyncReturns<string>) => result.stdout.split('\n').filter((line) => line !== '');

/**
 * A file's sha256 is hashed again only when its inode's ctime has moved: every write moves it, and
 * nothing can set it back, so the 100 MB Node binary is read once, not at every comparison.
 */
const hashes = new Map<string, string>();
function sha256(path: string, stat: Stats): string {
  const key = `${stat.dev}:${stat.ino}:${stat.size}:${stat.ctimeMs}`;
  let hash = hashes.get(key);
  if (hash === undefined) {
    hash = createHash('sha256').update(readFileSync(path)).digest('hex');
    hashes.set(key, hash);
  }
  return hash;
}

/** Every path under DIR: mode, owner, sha256 (or link target), mtime and inode. */
function manifest(dir: string): string[] {
  const entries: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    let content = '';
    if (stat.isFile()) content = sha256(path, stat);
    else if (stat.isSymbolicLink()) content = `-> ${readlinkSync(path)}`;
    entries.push(
      `${path.slice(dir.length) || '/'} ${stat.mode.toString(8)} ${stat.uid}:${stat.gid} ${content} ${stat.mtimeMs} ${stat.ino}`,
    );
    if (stat.isDirectory()) for (const name of readdirSync(path).sort()) walk(join(path, name));
  };
  walk(dir);
  return entries;
}

/** A copy of the USB folder to spoil: the packages hard-linked (cheap), the rest copied. */
function folderCopy(name: string): string {
  const folder = join(work, name);
  mkdirSync(folder);
  for (const file of readdirSync(usb)) {
    if (file.endsWith('.deb')) linkSync(join(usb, file), join(folder, file));
    else cpSync(join(usb, file), join(folder, file));
  }
  return folder;
}

/** A `dpkg` that answers --print-architecture with ARCH and hands everything else to the real one. */
function dpkgShim(arch: string): string {
  const dir = join(work, `shim-${arch}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'dpkg'),
    `#!/bin/sh\nif [ "$1" = --print-architecture ]; then echo ${arch}; else exec /usr/bin/dpkg "$@"; fi\n`,
    { mode: 0o755 },
  );
  return dir;
}

function cpuinfo(name: string, text: string): string {
  const dir = join(work, `proc-${name}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'cpuinfo'), text);
  return dir;
}

function watchdogSys(name: string, maxTimeout: number): string {
  const dir = join(work, `sys-${name}`, 'class/watchdog/watchdog0');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'identity'), 'Broadcom BCM2835 Watchdog timer\n');
  writeFileSync(join(dir, 'max_timeout'), `${maxTimeout}\n`);
  writeFileSync(join(dir, 'timeout'), `${maxTimeout}\n`);
  return join(work, `sys-${name}`);
}

beforeAll(async () => {
  [nodeDeb, { device: agentDeb }] = await Promise.all([nodePackage(), roomAgentPackages()]);
  work = mkdtempSync(join(tmpdir(), 'room-agent-install-'));
  // Readable by the unprivileged user of the not-root case.
  chmodSync(work, 0o755);
  usb = join(work, 'usb');
  const built = spawnSync('bash', [join(REPO_ROOT, 'scripts/build-usb.sh'), '--out', usb, agentDeb, nodeDeb], {
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
  sys = watchdogSys('pi', 10);
}, 900_000);

afterAll(() => {
  for (const root of roots) root.remove();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the USB folder', () => {
  it('holds install.sh, the two packages, a README and the checksums of all of them', () => {
    const names = [
      'README.txt',
      'SHA256SUMS',
      'install.sh',
      `room-agent-node_${field(nodeDeb, 'Version')}_${ARCH}.deb`,
      `room-agent_${field(agentDeb, 'Version')}_${ARCH}.deb`,
    ].sort();
    expect(readdirSync(usb).sort()).toEqual(names);
    const check = spawnSync('sha256sum', ['--check', '--strict', 'SHA256SUMS'], { cwd: usb, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(lines(check)).toHaveLength(names.length - 1);
    expect(readFileSync(join(usb, 'install.sh'), 'utf8')).toBe(
      readFileSync(join(REPO_ROOT, 'scripts/install.sh'), 'utf8'),
    );
  });

  it('is built from a room pair per architecture only', () => {
    const build = (...debs: string[]) =>
      spawnSync('bash', [join(REPO_ROOT, 'scripts/build-usb.sh'), '--out', join(work, 'refused'), ...debs], {
        encoding: 'utf8',
      });
    const half = build(agentDeb);
    expect(half.status).toBe(65);
    expect(half.stderr).toContain(`no room-agent-node package for ${ARCH}`);
    const twice = build(agentDeb, nodeDeb, nodeDeb);
    expect(twice.status).toBe(65);
    expect(twice.stderr).toContain('two room-agent-node packages');
    expect(existsSync(join(work, 'refused'))).toBe(false);
  });
});

describe('install.sh --root into a scratch root', () => {
  let root: ScratchRoot;
  let agentVersion: string;
  let nodeVersion: string;
  beforeAll(() => {
    root = scratchRoot();
    agentVersion = field(agentDeb, 'Version');
    nodeVersion = field(nodeDeb, 'Version');
  });

  it('lists every step in a dry run and changes nothing', () => {
    const before = manifest(root.dir);
    const dry = install(['--root', root.dir, '--sys-dir', sys, '--dry-run', '--lang', 'en']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(lines(dry)).toEqual([
      `would install room-agent-node ${nodeVersion} (${ARCH})`,
      `would install room-agent ${agentVersion} (${ARCH})`,
      'would write /etc/systemd/system.conf.d/room-agent-watchdog.conf: RuntimeWatchdogSec=10 ' +
        '(hardware watchdog Broadcom BCM2835 Watchdog timer, at most 10 s)',
    ]);
    expect(dry.stderr).toContain(`checking 4/4: room-agent_${agentVersion}_${ARCH}.deb`);
    expect(manifest(root.dir)).toEqual(before);
  });

  it('installs Node, the agent and the watchdog drop-in, and says where to provision', () => {
    const run = install(['--root', root.dir, '--sys-dir', sys, '--lang', 'en']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`dpkg is installing room-agent-node ${nodeVersion}, please wait`);
    expect(run.stderr).toContain('once it runs, sudo room-agent provision, then sudo room-agent doctor');
    for (const path of [
      'usr/lib/room-agent/node/bin/node',
      'usr/bin/room-agent',
      'lib/systemd/system/room-agent.service',
      'var/lib/room-agent',
    ])
      expect(existsSync(join(root.dir, path)), path).toBe(true);
    const status = execFileSync(
      'dpkg-query',
      [
        `--root=${root.dir}`,
        '-W',
        '-f',
        '${Package} ${Version} ${db:Status-Status}\n',
        'room-agent',
        'room-agent-node',
      ],
      { encoding: 'utf8' },
    );
    expect(status.trim().split('\n').sort()).toEqual([
      `room-agent ${agentVersion} installed`,
      `room-agent-node ${nodeVersion} installed`,
    ]);
    const dropin = join(root.dir, 'etc/systemd/system.conf.d/room-agent-watchdog.conf');
    expect(readFileSync(dropin, 'utf8')).toMatch(/^\[Manager\]\nRuntimeWatchdogSec=10\n$/m);
    expect(lstatSync(dropin).mode & 0o777).toBe(0o644);
  });

  it('changes nothing when run again, and its dry run then lists nothing', () => {
    const before = manifest(root.dir);
    const again = install(['--root', root.dir, '--sys-dir', sys, '--lang', 'en']);
    expect(again.status, again.stderr).toBe(0);
    expect(lines(again)).toEqual([]);
    expect(manifest(root.dir)).toEqual(before);
    const dry = install(['--root', root.dir, '--sys-dir', sys, '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toBe('');
    expect(manifest(root.dir)).toEqual(before);
  });

  it('rewrites the watchdog drop-in, and nothing else, for a board whose maximum is longer', () => {
    const before = manifest(root.dir);
    const run = install(['--root', root.dir, '--sys-dir', watchdogSys('x86', 600), '--lang', 'en']);
    expect(run.status, run.stderr).toBe(0);
    expect(lines(run)).toEqual([
      'write /etc/systemd/system.conf.d/room-agent-watchdog.conf: RuntimeWatchdogSec=15 ' +
        '(hardware watchdog Broadcom BCM2835 Watchdog timer, at most 600 s)',
    ]);
    const after = manifest(root.dir);
    const changed = after.filter((entry) => !before.includes(entry)).map((entry) => entry.split(' ')[0]);
    // The folder too: the new file was renamed into it.
    expect(changed).toEqual(['/etc/systemd/system.conf.d', '/etc/systemd/system.conf.d/room-agent-watchdog.conf']);
    expect(after.length).toBe(before.length);
  });

  it('leaves a newer installed release as it is: an older stick never downgrades', () => {
    const older = folderCopy('older');
    const tree = join(work, 'older-tree');
    mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
    writeFileSync(
      join(tree, 'DEBIAN/control'),
      `Package: room-agent\nVersion: 0.0.1\nArchitecture: ${ARCH}\nMaintainer: x <x@example.org>\nDescription: older\n older\n`,
    );
    const agent = `room-agent_${agentVersion}_${ARCH}.deb`;
    rmSync(join(older, agent));
    execFileSync('dpkg-deb', [
      '--root-owner-group',
      '-Zgzip',
      '--build',
      tree,
      join(older, `room-agent_0.0.1_${ARCH}.deb`),
    ]);
    const sums = readFileSync(join(older, 'SHA256SUMS'), 'utf8')
      .split('\n')
      .filter((line) => !line.endsWith(agent));
    sums.push(execFileSync('sha256sum', [`room-agent_0.0.1_${ARCH}.deb`], { cwd: older, encoding: 'utf8' }));
    writeFileSync(join(older, 'SHA256SUMS'), sums.filter(Boolean).join('\n'));

    const before = manifest(root.dir);
    const run = install(['--root', root.dir, '--sys-dir', watchdogSys('x86', 600), '--lang', 'en'], { folder: older });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`room-agent ${agentVersion} is newer than this folder's 0.0.1: left as it is`);
    expect(manifest(root.dir)).toEqual(before);
  });
});

/**
 * A copy-on-write view of this machine's root: an overlay of / in a mount namespace of its own,
 * with /dev, /proc and /sys as they are, fresh /tmp and /run (so no systemd is seen running), and
 * the test's folder on /mnt. Every write lands in `upper`, whose manifest is what install.sh changed.
 */
const OVERLAY = `
base=$1 shared=$2
shift 2
m=$base/merged
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$m"
mount --rbind /dev "$m/dev"
mount -t proc proc "$m/proc"
mount --rbind /sys "$m/sys"
mount -t tmpfs tmpfs "$m/tmp"
mount -t tmpfs tmpfs "$m/run"
mount --bind "$shared" "$m/mnt"
exec chroot "$m" "$@"
`;

function hostOverlay(name: string) {
  const base = join(work, name);
  for (const dir of ['upper', 'work', 'merged']) mkdirSync(join(base, dir), { recursive: true });
  return {
    upper: join(base, 'upper'),
    run: (...command: string[]) =>
      spawnSync('unshare', ['--mount', 'bash', '-euc', OVERLAY, 'overlay', base, work, ...command], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 300_000,
      }),
  };
}

describe('install.sh on this machine, as on a board (an overlay of /)', () => {
  let broker: Mosquitto;
  let host: ReturnType<typeof hostOverlay>;
  let provisionFlags: string[];
  beforeAll(async () => {
    broker = await startMosquitto();
    host = hostOverlay('host');
    provisionFlags = [
      '--',
      '--non-interactive',
      '--room',
      'yx-install-01',
      '--broker',
      broker.url,
      '--username',
      'yx-install-01',
      '--password',
      'install-secret',
      '--scanner',
      'none',
    ];
  });
  afterAll(() => broker?.stop());
  const installer = (...args: string[]) =>
    host.run('bash', '/mnt/usb/install.sh', '--sys-dir', '/mnt/sys-pi', '--lang', 'en', ...args);

  it('plans the packages, the watchdog and the provisioning in a dry run, and changes nothing', () => {
    const before = manifest(host.upper);
    const dry = installer('--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(lines(dry)).toEqual([
      `would install room-agent-node ${field(nodeDeb, 'Version')} (${ARCH})`,
      `would install room-agent ${field(agentDeb, 'Version')} (${ARCH})`,
      'would write /etc/systemd/system.conf.d/room-agent-watchdog.conf: RuntimeWatchdogSec=10 ' +
        '(hardware watchdog Broadcom BCM2835 Watchdog timer, at most 10 s)',
      'would set the room up: room-agent provision (/etc/room-agent/config.yaml does not exist yet), then start the service',
    ]);
    expect(manifest(host.upper)).toEqual(before);
  });

  it('refuses a system that lacks a package room-agent needs, before installing anything', () => {
    const bare = hostOverlay('host-without-passwd');
    // As if passwd (useradd, which the maintainer scripts run) had been removed.
    const removed = bare.run(
      'perl',
      '-0pi',
      '-e',
      's/(Package: passwd\nStatus: )install ok installed/$1deinstall ok config-files/',
      '/var/lib/dpkg/status',
    );
    expect(removed.status, removed.stderr).toBe(0);
    const before = manifest(bare.upper);
    const run = bare.run('bash', '/mnt/usb/install.sh', '--sys-dir', '/mnt/sys-pi', '--lang', 'en');
    expect(run.status).toBe(69);
    expect(run.stderr).toContain(
      'this system lacks packages room-agent needs: passwd; install them while online (sudo apt-get install NAME…) and run this again; nothing was installed',
    );
    expect(run.stdout).toBe('');
    expect(manifest(bare.upper)).toEqual(before);
  });

  it('installs, provisions with the flags after --, runs the doctor; run again it changes nothing', () => {
    const first = installer(...provisionFlags);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stderr).toContain('systemd is not running here: the service starts at boot');
    expect(first.stdout).toContain('configuration written: /etc/room-agent/config.yaml');
    expect(first.stdout).toContain('✔ configuration valid: /etc/room-agent/config.yaml');
    const check = host.run('room-agent', '--lang', 'en', 'config', 'check');
    expect(check.stdout + check.stderr).toBe('configuration OK: /etc/room-agent/config.yaml\n');
    const status = host.run(
      'dpkg-query',
      '-W',
      '-f',
      '${Package} ${db:Status-Status}\n',
      'room-agent',
      'room-agent-node',
    );
    expect(status.stdout.trim().split('\n').sort()).toEqual(['room-agent installed', 'room-agent-node installed']);

    const before = manifest(host.upper);
    const again = installer(...provisionFlags);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).not.toContain('provision');
    expect(manifest(host.upper)).toEqual(before);
    const dry = installer('--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toBe('');
    expect(manifest(host.upper)).toEqual(before);
  });
});

describe('install.sh refuses before it installs anything', () => {
  /** Runs install.sh on a fresh scratch root and checks the root is untouched. */
  function refused(args: string[], options: Parameters<typeof install>[1] = {}, osRelease?: string) {
    const root = scratchRoot(osRelease);
    const before = manifest(root.dir);
    const result = install(['--root', root.dir, '--sys-dir', sys, ...args], options);
    expect(manifest(root.dir)).toEqual(before);
    return result;
  }

  it('a package altered in the folder, an unlisted one, a listed one missing', () => {
    const tampered = folderCopy('tampered');
    const deb = join(tampered, `room-agent_${field(agentDeb, 'Version')}_${ARCH}.deb`);
    const bytes = readFileSync(deb);
    bytes[bytes.length - 100]! ^= 0xff;
    rmSync(deb); // the hard link: the original stays as it was
    writeFileSync(deb, bytes);
    const altered = refused(['--lang', 'en'], { folder: tampered });
    expect(altered.status).toBe(65);
    expect(altered.stderr).toContain(
      `room-agent_${field(agentDeb, 'Version')}_${ARCH}.deb does not match its checksum: the file is damaged or altered, nothing was installed`,
    );
    expect(altered.stdout).toBe('');

    const extra = folderCopy('extra');
    cpSync(agentDeb, join(extra, 'room-agent_9.9.9_amd64.deb'));
    const unlisted = refused(['--lang', 'en'], { folder: extra });
    expect(unlisted.status).toBe(65);
    expect(unlisted.stderr).toContain('room-agent_9.9.9_amd64.deb is not listed in SHA256SUMS');

    const short = folderCopy('short');
    rmSync(join(short, 'README.txt'));
    const missing = refused([], { folder: short });
    expect(missing.status).toBe(65);
    expect(missing.stderr).toContain('缺少 README.txt');
  });

  it('an ARMv6 board (Pi Zero), by its CPU or its kernel, before it looks for an armhf package', () => {
    const zero = cpuinfo(
      'zero',
      'processor\t: 0\nmodel name\t: ARMv6-compatible processor rev 7 (v6l)\nBogoMIPS\t: 697.95\n' +
        'CPU implementer\t: 0x41\nCPU architecture: 7\nCPU part\t: 0xb76\n\nHardware\t: BCM2835\nModel\t: Raspberry Pi Zero W Rev 1.1\n',
    );
    const armv6 = refused(['--proc-dir', zero, '--lang', 'en'], { path: dpkgShim('armhf') });
    expect(armv6.status).toBe(69);
    expect(armv6.stderr).toContain(
      'this board has an ARMv6 CPU (Raspberry Pi 1, Zero, Zero W): Node.js 20 has no build',
    );

    // A kernel that says armv6l is believed whatever the CPU lines read.
    const unameDir = join(work, 'shim-uname');
    mkdirSync(unameDir);
    writeFileSync(join(unameDir, 'uname'), '#!/bin/sh\necho armv6l\n', { mode: 0o755 });
    const pi3 = cpuinfo('pi3', 'processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\nCPU part\t: 0xd03\n');
    const byKernel = refused(['--proc-dir', pi3, '--lang', 'en'], { path: `${dpkgShim('armhf')}:${unameDir}` });
    expect(byKernel.status).toBe(69);
    expect(byKernel.stderr).toContain('this board has an ARMv6 CPU');

    // A Pi 3 on 32-bit Raspberry Pi OS passes the board check and finds no armhf package here.
    const armv7 = refused(['--proc-dir', pi3, '--lang', 'en'], { path: dpkgShim('armhf') });
    expect(armv7.status).toBe(69);
    expect(armv7.stderr).toContain('this folder has no room-agent-node package for armhf');
  });

  it('an unsupported OS release, with its name, in Chinese unless told otherwise', () => {
    const ubuntu = refused(
      ['--lang', 'en'],
      {},
      'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n',
    );
    expect(ubuntu.status).toBe(69);
    expect(ubuntu.stderr).toContain(
      'unsupported OS Ubuntu 22.04.4 LTS: room-agent supports Debian 12 and 13 and Raspberry Pi OS 12 (Bookworm) and 13',
    );
    const bullseye = refused(
      [],
      {},
      'PRETTY_NAME="Raspbian GNU/Linux 11 (bullseye)"\nVERSION_ID="11"\nID=raspbian\nID_LIKE=debian\n',
    );
    expect(bullseye.status).toBe(69);
    expect(bullseye.stderr).toContain('不支持的系统 Raspbian GNU/Linux 11 (bullseye)');
  });

  it('a user other than root, and a wrong command line', () => {
    const user = refused(['--lang', 'en'], { uid: 65534 });
    expect(user.status).toBe(77);
    expect(user.stderr).toContain('run it as root: sudo bash');
    const unknown = refused(['--frobnicate']);
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toContain('未知参数：--frobnicate');
    const provisionFlags = refused(['--lang', 'en', '--', '--room', 'yx-01']);
    expect(provisionFlags.status).toBe(64);
    expect(provisionFlags.stderr).toContain('provision runs on the board itself');
  });

  it('a root of another architecture than this machine', () => {
    const foreign = scratchRoot();
    const other = ARCH === 'arm64' ? 'armhf' : 'arm64';
    writeFileSync(join(foreign.dir, 'var/lib/dpkg/arch'), `${other}\n`);
    const before = manifest(foreign.dir);
    const result = install(['--lang', 'en', '--root', foreign.dir, '--sys-dir', sys]);
    expect(result.status).toBe(69);
    expect(result.stderr).toContain(`is a ${other} system and this machine is ${ARCH}`);
    expect(manifest(foreign.dir)).toEqual(before);
  });
});
