import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const SCRIPTS = readdirSync(join(REPO_ROOT, 'scripts'))
  .filter((name) => name.endsWith('.sh'))
  .map((name) => join('scripts', name));
// The package's maintainer scripts and its wrapper: sh scripts (their #! line says so) without .sh.
const DEB_SCRIPTS = ['postinst', 'prerm', 'postrm', 'room-agent.sh'].map((name) => join('scripts', 'deb', name));

const shellcheck = (args: string[], input?: string) =>
  spawnSync('shellcheck', args, { cwd: REPO_ROOT, encoding: 'utf8', input });

describe('shellcheck', () => {
  it('finds nothing in any scripts/*.sh', () => {
    expect(SCRIPTS).toContain('scripts/install.sh');
    const result = shellcheck(['--external-sources', ...SCRIPTS]);
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('finds nothing in the package maintainer scripts and the command wrapper', () => {
    const result = shellcheck(['--external-sources', ...DEB_SCRIPTS]);
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('reports an unquoted expansion, so a clean run means something', () => {
    const result = shellcheck(['--shell=bash', '-'], 'rm -rf $1/tmp\n');
    expect(result.stdout).toContain('SC2086');
    expect(result.status).toBe(1);
  });
});
