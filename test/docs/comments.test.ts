import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { commentProblems, markdownSections, type CommentContext } from './commentRules.js';
import { extractComments } from './sourceComments.js';

/** Tracked files and new ones not yet added (ignored files, node_modules and dist/, excluded). */
const repositoryFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
  cwd: REPO_ROOT,
  encoding: 'utf8',
})
  .split('\0')
  .filter((path) => path !== '' && existsSync(join(REPO_ROOT, path)));
const inRepository = new Set(repositoryFiles);
const commented = repositoryFiles.map((file) => ({
  file,
  comments: extractComments(file, readFileSync(join(REPO_ROOT, file), 'utf8')),
}));

const sections = new Map<string, readonly string[]>();
function sectionsOf(path: string): readonly string[] {
  let found = sections.get(path);
  if (found === undefined) {
    found = markdownSections(readFileSync(join(REPO_ROOT, path), 'utf8'));
    sections.set(path, found);
  }
  return found;
}

function contextFor(file: string): CommentContext {
  return { file, exists: (path) => inRepository.has(path), sectionsOf };
}

describe('comments in the repository speak of the code and cite only what the repository holds', () => {
  it('finds comments in every kind of source file the scan covers', () => {
    const kinds = new Set(
      commented.filter(({ comments }) => comments.length > 0).map(({ file }) => /\.\w+$/.exec(file)?.[0] ?? file),
    );
    for (const kind of ['.ts', '.mjs', '.py', '.sh', '.rules', '.service', '.yaml']) expect(kinds).toContain(kind);
  });

  it('has no comment that cites a missing document or section, a machine path, or a work item', () => {
    const findings: string[] = [];
    for (const { file, comments } of commented) {
      for (const comment of comments) {
        for (const problem of commentProblems(comment.text, contextFor(file))) {
          const before = comment.text.slice(0, Math.max(0, comment.text.indexOf(problem.found)));
          const line = comment.line + before.split('\n').length - 1;
          findings.push(`${file}:${line}: ${problem.rule}: ${problem.found}`);
        }
      }
    }
    expect(findings).toEqual([]);
  });
});

describe('the comment rules', () => {
  const context: CommentContext = {
    file: 'drivers/gt521/framing/constants.ts',
    exists: (path) => ['README.md', 'drivers/gt521/README.md', 'drivers/r30x/README.md'].includes(path),
    sectionsOf: (path) => (path === 'README.md' ? ['Development', 'County sync (MQTT)'] : ['Packets']),
  };
  const rulesBroken = (comment: string): string[] => commentProblems(comment, context).map((problem) => problem.rule);

  it.each([
    ['// Frames as in PROTOCOLS.md §2.', 'missing-document'],
    ['/** (../shared/PROTOCOLS.md §2) */', 'missing-document'],
    ['# See docs/wire.md for the layout', 'missing-document'],
    ['// The journal as the outbox (README "County sync: store and forward").', 'missing-section'],
    ['// See ../README.md "Timing".', 'missing-section'],
    ['// Vectors from /work/shared/PROTOCOLS.md', 'machine-path'],
    ['// Vectors from /work/shared/PROTOCOLS.md', 'missing-document'],
    ['// C:\\Users\\dev\\notes.txt has the captures', 'machine-path'],
    ['// Built from ~/notes/gt521.txt', 'machine-path'],
    ['# copied from /home/pi/room-agent/config.yaml', 'machine-path'],
    ['// The camera issue implements it.', 'work-item'],
    ['// The roster, kept in step by the sync of a later issue.', 'work-item'],
    ['// not cameras (their own issue)', 'work-item'],
    ['/** The issue asks for a minute. */', 'work-item'],
    ['// Done in issue 4.', 'work-item'],
    ['// See #12 for why.', 'work-item'],
    ['// left for later issues', 'work-item'],
    ['// as item 3 of the issue says', 'work-item'],
  ])('flags %s', (comment, rule) => {
    expect(rulesBroken(comment)).toContain(rule);
  });

  it.each([
    '// Frames as drivers/gt521/README.md describes them.',
    '// Frames as ../README.md describes them.',
    '/** See README "County sync (MQTT)". */',
    '/** See drivers/gt521/README.md "Packets" and README "Development". */',
    '// (https://github.com/serialport/bindings-cpp/issues/162, fix proposed in PR #164, unmerged)',
    '// serialport reports a pty hang-up unreliably (bindings-cpp issue 162)',
    '#   device (systemd#18142, tailscale#1063, fwupd#7414).',
    '// a workaround for systemd #18142',
    '// https://github.com/fivdi/onoff/issues/199, /issues/200',
    '// zod reports every issue at once; each issue names its path',
    "/** Turns zod's issues into lines; values are looked up rather than trusted from the issue. */",
    '// the center issues ids above any a room has seen',
    '// The daemon reads the file from /var/lib/room-agent, /run and /dev/serial/by-id/…',
    '// an error message ends up in logs and tickets',
  ])('accepts %s', (comment) => {
    expect(rulesBroken(comment)).toEqual([]);
  });
});
