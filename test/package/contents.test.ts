import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianArchitecture } from '../helpers/nodeRelease.js';
import { PACKAGE_BUILD_TIMEOUT_MS, roomAgentPackages, type RoomAgentPackages } from '../helpers/roomAgentPackages.js';

const VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }
).version;
/** The device package without Node (room-agent-node is separate). */
const MAX_DEVICE_DEB_BYTES = 12 * 1000 * 1000;
/** ELF e_machine for each Debian architecture a room runs on. */
const ELF_MACHINE: Record<string, number> = { amd64: 62, arm64: 183, armhf: 40 };

/** `dpkg-deb -c`: each file's or link's owner/group and path (without the leading "./"); no directories. */
function contents(deb: string): { owner: string; path: string }[] {
  return execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .trimEnd()
    .split('\n')
    .filter((line) => !line.startsWith('d'))
    .map((line) => {
      const [, owner, , , , path] = line.split(/\s+/);
      return { owner: owner!, path: path!.replace(/^\.\//, '') };
    });
}

const field = (deb: string, name: string): string =>
  execFileSync('dpkg-deb', ['-f', deb, name], { encoding: 'utf8' }).trim();

/** Lintian's findings, one per line ("E: package: tag …", "W: …", "I: …"). */
/** lintian's findings on DEB; a lintian that fails (an error tag, a crash) fails the test. */
function lintian(deb: string): string[] {
  const result = spawnSync('lintian', ['--tag-display-limit', '0', '-I', deb], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.error) throw result.error;
  const findings = result.stdout.split('\n').filter((line) => /^[EWI]: /.test(line));
  expect(findings.filter((line) => line.startsWith('E: '))).toEqual([]);
  expect(result.status, `lintian ${deb}: ${result.stderr}`).toBe(0);
  // With -I it always has something to say (info tags): none means it never looked at the package.
  expect(findings.length, `lintian ${deb} printed no finding: ${result.stderr}`).toBeGreaterThan(0);
  return findings;
}

describe('the Debian packages', () => {
  let packages: RoomAgentPackages;
  let device: { owner: string; path: string }[];
  let center: { owner: string; path: string }[];
  let unpacked: string;
  const arch = debianArchitecture();

  beforeAll(async () => {
    packages = await roomAgentPackages();
    device = contents(packages.device);
    center = contents(packages.center);
    unpacked = mkdtempSync(join(tmpdir(), 'room-agent-deb-'));
    execFileSync('dpkg-deb', ['-x', packages.device, unpacked]);
  }, PACKAGE_BUILD_TIMEOUT_MS);

  afterAll(() => {
    if (unpacked) rmSync(unpacked, { recursive: true, force: true });
  });

  it('build-deb.sh prints the two packages it wrote, named by version and architecture', () => {
    expect(
      packages.output
        .trim()
        .split('\n')
        .map((line) => basename(line)),
    ).toEqual([`room-agent_${VERSION}_${arch}.deb`, `room-agent-center_${VERSION}_all.deb`]);
  });

  it('the device package holds the program, the command, the unit, the udev rules and the example configuration at policy paths', () => {
    const paths = new Set(device.map((entry) => entry.path));
    for (const path of [
      'usr/bin/room-agent',
      'usr/lib/room-agent/package.json',
      'usr/lib/room-agent/dist/src/cli/main.js',
      'usr/lib/room-agent/dist/src/cli/commands/centerHeads.js',
      'usr/lib/room-agent/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'lib/systemd/system/room-agent.service',
      'lib/udev/rules.d/60-room-agent-scanners.rules',
      'lib/udev/rules.d/70-room-agent-keyboard-reader.rules',
      'usr/share/room-agent/room-agent.example.yaml',
      'usr/share/doc/room-agent/copyright',
      'usr/share/doc/room-agent/changelog.gz',
      'usr/share/man/man1/room-agent.1.gz',
    ])
      expect(paths, path).toContain(path);
    // Root-owned files; nothing under /etc, so no conffile and never a conffile prompt.
    expect(device.filter((entry) => entry.owner !== 'root/root')).toEqual([]);
    expect(device.filter((entry) => entry.path.startsWith('etc/'))).toEqual([]);
    expect(execFileSync('dpkg-deb', ['-I', packages.device], { encoding: 'utf8' })).not.toMatch(/conffiles/);
    // No /opt, no /usr/local: a package owns neither.
    expect(device.filter((entry) => /^(opt|usr\/local)\//.test(entry.path))).toEqual([]);
  });

  it('the device package carries nothing from tests, benchmarks, emulators, the center, the demo, dev dependencies or other platforms', () => {
    const forbidden = [
      /(^|\/)tests?\//,
      /(^|\/)bench(mark)?s?\//,
      // The emulators themselves (the scanner service's client for one, emulatorProcess.js, stays).
      /drivers\/[^/]+\/emulator\/|emulator-common/,
      /\.py$/,
      /dist\/src\/(center|demo)\//,
      /dist\/src\/cli\/commands\/(center|demo)\.js$/,
      /src\/center\/web\/assets/,
      /node_modules\/(typescript|vitest|eslint|@eslint|prettier|puppeteer-core|dependency-cruiser|typescript-eslint|globals|@types|hls\.js)\//,
      /\.(map|ts)$/,
      new RegExp(`/prebuilds/(?!([A-Za-z_]+-)?linux-${{ amd64: 'x64', arm64: 'arm64', armhf: 'arm' }[arch]}/)`),
      /\/prebuilds\/.*musl/,
      /(^|\/)(binding\.gyp|deps|obj\.target)(\/|$)/,
    ];
    const offending = device.filter((entry) => forbidden.some((pattern) => pattern.test(entry.path)));
    expect(offending.map((entry) => entry.path)).toEqual([]);
  });

  it("every native module is this machine's architecture and stripped", () => {
    const addons = device.filter((entry) => entry.path.endsWith('.node')).map((entry) => join(unpacked, entry.path));
    expect(addons.length).toBeGreaterThanOrEqual(5);
    for (const addon of addons) {
      expect(readFileSync(addon).readUInt16LE(18), addon).toBe(ELF_MACHINE[arch]);
      const sections = execFileSync('readelf', ['-S', '-W', addon], { encoding: 'utf8' });
      expect(sections, addon).not.toMatch(/\.symtab|\.comment/);
    }
  });

  it('the center package carries the center, the demo, the emulators and the board page, and depends on this exact device package', () => {
    const paths = new Set(center.map((entry) => entry.path));
    for (const path of [
      'usr/lib/room-agent/dist/src/center/countyCenter.js',
      'usr/lib/room-agent/dist/src/demo/session.js',
      'usr/lib/room-agent/dist/src/cli/commands/center.js',
      'usr/lib/room-agent/dist/src/cli/commands/demo.js',
      'usr/lib/room-agent/drivers/r30x/emulator/r30x.py',
      'usr/lib/room-agent/drivers/emulator-common/board.py',
      'usr/lib/room-agent/drivers/camera/emulator/rtsp_camera.py',
      'usr/lib/room-agent/src/center/web/assets/index.html',
      'usr/lib/room-agent/node_modules/hls.js/dist/hls.light.min.mjs',
      'usr/share/room-agent-center/mosquitto.conf.example',
      'usr/share/doc/room-agent-center/copyright',
    ])
      expect(paths, path).toContain(path);
    // Nothing both packages would install (dpkg refuses a file two packages ship).
    const devicePaths = new Set(device.map((entry) => entry.path));
    expect(center.filter((entry) => devicePaths.has(entry.path))).toEqual([]);
    expect(center.filter((entry) => /(^|\/)tests?\/|\.ts$|\.map$/.test(entry.path))).toEqual([]);
    expect(field(packages.center, 'Architecture')).toBe('all');
    expect(field(packages.center, 'Depends')).toContain(`room-agent (= ${VERSION})`);
  });

  it('the control fields: architecture, computed shared-library dependencies and the private Node 20', () => {
    const info = execFileSync('dpkg-deb', ['-I', packages.device], { encoding: 'utf8' });
    console.log(info);
    expect(field(packages.device, 'Package')).toBe('room-agent');
    expect(field(packages.device, 'Version')).toBe(VERSION);
    expect(field(packages.device, 'Architecture')).toBe(arch);
    const depends = field(packages.device, 'Depends');
    // dpkg-shlibdeps' answer for the addons, not a hand-written list.
    expect(depends).toMatch(/libc6 \(>= [\d.]+\)/);
    expect(depends).toMatch(/libstdc\+\+6 \(>= [\d.]+\)/);
    expect(depends).toContain('room-agent-node (>= 20), room-agent-node (<< 21)');
    expect(depends).not.toMatch(/\bnodejs\b/);
    expect(info).toMatch(/^\s+\d+ bytes,\s+\d+ lines\s+\*\s+postinst\s/m);
    expect(info).toMatch(/^\s+\d+ bytes,\s+\d+ lines\s+\*\s+postrm\s/m);
  });

  it('the device package is at most 12 MB without Node', () => {
    const size = statSync(packages.device).size;
    const installedKb = Number(field(packages.device, 'Installed-Size'));
    console.log(
      `room-agent ${arch}: ${(size / 1e6).toFixed(2)} MB .deb, ${(installedKb / 1024).toFixed(1)} MiB installed; ` +
        `room-agent-center: ${(statSync(packages.center).size / 1e6).toFixed(2)} MB .deb`,
    );
    expect(size).toBeLessThanOrEqual(MAX_DEVICE_DEB_BYTES);
    expect(installedKb).toBeGreaterThan(1000);
  });

  it('lintian reports no errors (its warnings are printed)', () => {
    const findings = [...lintian(packages.device), ...lintian(packages.center)];
    console.log(`lintian:\n${findings.filter((line) => !line.startsWith('I: ')).join('\n') || '(no warnings)'}`);
  }, 600_000);
});
