import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The dependency check `npm run depcheck` runs, with the repository's real rules, over small
 * fixture trees that each break one rule on purpose: proof that the check can fail. Each tree is
 * cruised from its own folder, so its files are src/…, test/… exactly like the repository's.
 */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(REPO_ROOT, 'test', 'depcheck', 'fixtures');
const DEPCRUISE = join(REPO_ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(REPO_ROOT, '.dependency-cruiser.cjs');

/** "error <rule>: <from> → <to>" (a cycle lists every module of it, one per line). */
const VIOLATION = /^\s*error ([\w-]+): ((?:[^\s→]+\s*→\s*)+[^\s→]+)/gm;

/** Runs the check as `npm run depcheck` does; its violations as rule + the modules it names. */
async function cruise(fixture: string): Promise<{ code: number; violations: string[] }> {
  const cwd = join(FIXTURES, fixture);
  const roots = readdirSync(cwd);
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile(
      DEPCRUISE,
      [...roots, '--config', CONFIG, '--output-type', 'err-long'],
      { cwd, encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
          stdout: stdout + stderr,
        }),
    ),
  );
  const violations = [...stdout.matchAll(VIOLATION)].map(
    ([, rule, modules]) => `${rule}: ${modules!.split(/\s*→\s*/).join(' → ')}`,
  );
  return { code, violations };
}

describe('the dependency check (.dependency-cruiser.cjs)', () => {
  it('passes a tree that keeps the rules', async () => {
    expect(await cruise('clean')).toEqual({ code: 0, violations: [] });
  });

  it('fails on an import from test/ into src/', async () => {
    expect(await cruise('test-into-src')).toEqual({
      code: 1,
      violations: ['not-to-test-or-scripts: src/util/clock.ts → test/helpers/fakeClock.ts'],
    });
  });

  it('fails on a cycle', async () => {
    expect(await cruise('cycle')).toEqual({
      code: 1,
      violations: ['no-circular: src/journal/journal.ts → src/journal/prune.ts → src/journal/journal.ts'],
    });
  });

  it('fails on an import from a lower layer of src/ into a higher one', async () => {
    expect(await cruise('upward')).toEqual({
      code: 1,
      violations: ['src-layers-journal: src/journal/entries.ts → src/sync/topics.ts'],
    });
  });

  it("fails on device code that imports the room-agent-center package's code, except the CLI's lazy import()", async () => {
    const { code, violations } = await cruise('center-package');
    // depcruise exits with the number of violations.
    expect(code).toBe(3);
    expect(violations.sort()).toEqual([
      'center-package-loaded-by-the-cli: src/cli/commands/doctor.ts → src/demo/session.ts',
      'device-not-to-center-package: src/cli/commands/status.ts → src/center/store.ts',
      'device-not-to-center-package: src/cli/main.ts → src/cli/commands/center.ts',
    ]);
  });
});
