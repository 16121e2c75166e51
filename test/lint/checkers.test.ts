import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * `npm run lint` passing means something only if its checkers can fail. The fixtures are kept out
 * of the repo-wide run (eslint.config.mjs ignores them, .prettierignore lists them) and are checked
 * here with the repository's own configuration; each clean twin shows the configuration is not
 * simply reporting nothing.
 */
const FIXTURES = join(REPO_ROOT, 'test/lint/fixtures');
const PRETTIER = join(REPO_ROOT, 'node_modules/prettier/bin/prettier.cjs');

describe('ESLint with eslint.config.mjs', () => {
  it('reports a floating promise, and nothing once the promise is handled', async () => {
    // Type-aware: the fixtures' own tsconfig.json gives the project service a program to check them in.
    const eslint = new ESLint({ cwd: REPO_ROOT, ignore: false });
    const results = await eslint.lintFiles([join(FIXTURES, 'floatingPromise.ts'), join(FIXTURES, 'clean.ts')]);
    const findings = (name: string): Array<string | null> =>
      results.find((result) => result.filePath === join(FIXTURES, name))?.messages.map((message) => message.ruleId) ?? [
        'not linted',
      ];
    expect(findings('floatingPromise.ts')).toEqual(['@typescript-eslint/no-floating-promises']);
    expect(findings('clean.ts')).toEqual([]);
  });
});

describe('prettier --check with .prettierrc.json', () => {
  /** The exit code; --ignore-path /dev/null because .prettierignore keeps the fixtures out. */
  const check = async (name: string): Promise<number> => {
    try {
      await promisify(execFile)(process.execPath, [PRETTIER, '--check', '--ignore-path', '/dev/null', name], {
        cwd: FIXTURES,
      });
      return 0;
    } catch (error) {
      return (error as { code: number }).code;
    }
  };

  it('fails on an unformatted file and passes its formatted twin', async () => {
    expect(await check('unformatted.ts')).toBe(1);
    expect(await check('clean.ts')).toBe(0);
  });
});
