import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The unit as the package installs it (systemd/room-agent.service): the paths it names are the
 * package's, and its hardening keeps an offline exposure of 2.5 or lower. Cheap: no package build.
 */
const UNIT = join(import.meta.dirname, '../../systemd/room-agent.service');
const text = readFileSync(UNIT, 'utf8');

describe('systemd/room-agent.service', () => {
  it("runs the program under /usr/lib/room-agent on room-agent-node's Node, documented where the package puts the README", () => {
    expect(text).toMatch(
      /^ExecStart=\/usr\/lib\/room-agent\/node\/bin\/node \/usr\/lib\/room-agent\/dist\/src\/cli\/main\.js run --config \/etc\/room-agent\/config\.yaml$/m,
    );
    expect(text).toMatch(/^Documentation=file:\/\/\/usr\/share\/doc\/room-agent\/README\.md$/m);
    expect(text).not.toMatch(/\/opt\/|\/usr\/local\/|\/usr\/bin\/node/);
  });

  it('keeps an offline exposure of 2.5 or lower', () => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=true', UNIT], { encoding: 'utf8' });
    const exposure = Number(/Overall exposure level for room-agent\.service: ([\d.]+)/.exec(result.stdout)?.[1]);
    console.log(`offline exposure: ${exposure}`);
    expect(exposure).toBeGreaterThan(0);
    expect(exposure).toBeLessThanOrEqual(2.5);
  });
});
