import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianArchitecture, nodePackage } from '../helpers/nodeRelease.js';
import { makeScratchRoot, type ScratchRoot } from '../helpers/scratchRoot.js';

// room-agent-node: Node 20 from the npm registry's node-linux-* build, private to room-agent.
describe('the room-agent-node package', () => {
  let deb: string;
  let root: ScratchRoot;

  beforeAll(async () => {
    deb = await nodePackage();
    root = makeScratchRoot();
  }, 600_000);
  afterAll(() => root?.remove());

  it('names its version, architecture and what it needs from the system', () => {
    const field = (name: string) => execFileSync('dpkg-deb', ['-f', deb, name], { encoding: 'utf8' }).trim();
    expect(field('Package')).toBe('room-agent-node');
    expect(field('Version')).toMatch(/^20\.\d+\.\d+$/);
    expect(field('Architecture')).toBe(debianArchitecture());
    expect(field('Depends')).toContain('libc6');
    expect(Number(field('Installed-Size'))).toBeGreaterThan(10_000);
  });

  it('installs Node 20 under /usr/lib/room-agent/node only, where it runs', () => {
    const contents = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/).slice(5).join(' '))
      .filter((path) => !path.endsWith('/'));
    expect(contents.sort()).toEqual([
      './usr/lib/room-agent/node/bin/node',
      './usr/share/doc/room-agent-node/changelog.Debian.gz',
      './usr/share/doc/room-agent-node/copyright',
    ]);

    // The postinst (control data, not a file it installs) restarts a running room-agent onto a
    // new Node; in a scratch root (DPKG_ROOT) it does nothing and must not fail.
    const control = execFileSync('dpkg-deb', ['--ctrl-tarfile', deb]);
    const members = execFileSync('tar', ['-t'], { input: control, encoding: 'utf8' }).split('\n');
    expect(members).toContain('./postinst');
    const postinst = execFileSync('dpkg-deb', ['-I', deb, 'postinst'], { encoding: 'utf8' });
    expect(postinst).toContain('try-restart room-agent.service');

    const install = root.dpkg('-i', deb);
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/postinst|try-restart/);
    const node = join(root.dir, 'usr/lib/room-agent/node/bin/node');
    expect(statSync(node).mode & 0o777).toBe(0o755);
    expect(statSync(node).uid).toBe(0);
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(version).toMatch(/^v20\./);
    expect(existsSync(join(root.dir, 'usr/bin/node'))).toBe(false);
  });

  it('refuses a tarball that is not a Linux build of Node 20', () => {
    const script = join(import.meta.dirname, '..', '..', 'scripts', 'build-node-deb.sh');
    const missing = spawnSync('bash', [script, '--tarball', '/nonexistent.tgz', '--out', root.dir], {
      encoding: 'utf8',
    });
    expect(missing.status).toBe(66);
    expect(missing.stderr).toContain('npm pack node-linux-<arch>@20');
    const notNode = spawnSync('bash', [script, '--tarball', deb, '--out', root.dir], { encoding: 'utf8' });
    expect(notNode.status).toBe(65);
    expect(notNode.stderr).toContain('is not a gzip tarball');
  });
});
