import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** scripts/build-deb.sh refuses what it cannot build from, saying why, before any npm ci. */
const SCRIPT = join(import.meta.dirname, '../../scripts/build-deb.sh');

describe('build-deb.sh on bad input', () => {
  let dir: string;
  const buildDeb = (...args: string[]) =>
    spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'room-agent-build-deb-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names a missing tarball and the command that makes one', () => {
    const result = buildDeb('--dist', join(dir, 'nothing.tar.gz'), '--out', dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/nothing\.tar\.gz: no such file \(npm run dist writes/);
  });

  it('refuses a tarball that is not npm run dist output', () => {
    mkdirSync(join(dir, 'other'));
    writeFileSync(join(dir, 'other', 'README'), 'not a dist\n');
    const tarball = join(dir, 'other.tar.gz');
    expect(spawnSync('tar', ['-czf', tarball, '-C', dir, 'other']).status).toBe(0);
    const result = buildDeb('--dist', tarball, '--out', join(dir, 'out'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is not an npm run dist tarball');
  });

  it('refuses a Node other than 20: the native modules would be built for the wrong ABI', () => {
    const fakeNode = join(dir, 'node');
    writeFileSync(fakeNode, '#!/bin/sh\necho 18.19.0\n');
    chmodSync(fakeNode, 0o755);
    const result = buildDeb('--dist', SCRIPT, '--out', dir, '--node', fakeNode);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/node 18\.19\.0: the native modules must be built with Node 20/);
  });

  it('refuses an unknown argument with its usage', () => {
    const result = buildDeb('--dist', SCRIPT, '--output', dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/unknown argument --output \(usage: build-deb\.sh --dist FILE --out DIR/);
  });
});
