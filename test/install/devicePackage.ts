import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildOnce } from '../helpers/buildOnce.js';
import { debianArchitecture } from '../helpers/nodeRelease.js';

const run = promisify(execFile);

/** Stand-in for the device package until scripts/build-deb.sh lands: the paths install.sh checks. */
export async function devicePackage(arch = debianArchitecture()): Promise<string> {
  const folder = await buildOnce('device-deb-standin', `${arch}-1`, async (into) => {
    const root = join(into, 'root');
    for (const dir of ['DEBIAN', 'usr/bin', 'lib/systemd/system']) mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(
      join(root, 'DEBIAN/control'),
      `Package: room-agent\nVersion: 0.1.0\nArchitecture: ${arch}\nMaintainer: x <x@localhost>\n` +
        'Depends: room-agent-node (>= 20), room-agent-node (<< 21)\nDescription: stand-in\n stand-in\n',
    );
    writeFileSync(
      join(root, 'DEBIAN/postinst'),
      '#!/bin/sh\nset -e\ninstall -d -m 0750 "$DPKG_ROOT/var/lib/room-agent"\n',
    );
    chmodSync(join(root, 'DEBIAN/postinst'), 0o755);
    writeFileSync(join(root, 'usr/bin/room-agent'), '#!/bin/sh\n');
    chmodSync(join(root, 'usr/bin/room-agent'), 0o755);
    writeFileSync(join(root, 'lib/systemd/system/room-agent.service'), '[Service]\n');
    await run('dpkg-deb', ['--root-owner-group', '--build', root, join(into, `room-agent_0.1.0_${arch}.deb`)]);
  });
  const name = readdirSync(folder).find((file) => file.endsWith('.deb'))!;
  return join(folder, name);
}
