import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { collectLines, spawnAppender } from './durability.js';

const APPENDS = 25;
const haveStrace = spawnSync('strace', ['-V']).status === 0;
if (!haveStrace)
  console.warn('strace is not installed: skipping the fsync ordering test (scripts/test.sh installs it with apt-get)');

/**
 * Runs the appender under strace and returns, for each append the child reported as returned,
 * how many syncs of the WAL file happened since the previous report.
 */
async function walSyncsBeforeEachAppend(dataDir: string, traceFile: string, synchronous?: string): Promise<number[]> {
  const child = spawnAppender([dataDir, String(APPENDS)], {
    wrapper: ['strace', '-f', '-y', '-s', '64', '-e', 'trace=fsync,fdatasync,write', '-o', traceFile],
    env: synchronous === undefined ? {} : { APPENDER_SYNCHRONOUS: synchronous },
  });
  const printed = await collectLines(child);
  expect(printed.filter((line) => line.startsWith('APPENDED'))).toHaveLength(APPENDS);

  const counts: number[] = [];
  let syncs: number | undefined;
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    if (line.includes('"OPENED\\n"')) syncs = 0;
    else if (syncs !== undefined && /\b(fsync|fdatasync)\(\d+<[^>]*journal\.sqlite-wal>/.test(line)) syncs++;
    else if (syncs !== undefined && /"APPENDED \d+\\n"/.test(line)) {
      counts.push(syncs);
      syncs = 0;
    }
  }
  return counts;
}

describe.skipIf(!haveStrace)('append durability under strace', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('syncs the WAL after every committed append, before the append returns', async () => {
    const counts = await walSyncsBeforeEachAppend(join(temp.dir, 'data'), join(temp.dir, 'trace'));
    expect(counts).toHaveLength(APPENDS);
    expect(counts.filter((count) => count === 0)).toEqual([]);
  });

  it('would notice a journal that does not sync each commit (synchronous=NORMAL)', async () => {
    const counts = await walSyncsBeforeEachAppend(join(temp.dir, 'data'), join(temp.dir, 'trace'), 'NORMAL');
    expect(counts).toHaveLength(APPENDS);
    expect(counts.filter((count) => count === 0).length).toBeGreaterThan(APPENDS / 2);
  });
});
