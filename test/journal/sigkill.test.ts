import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { collectLines, spawnAppender } from './durability.js';
import { openJournal } from './helpers.js';

const KILLS = 20;
/** A generous bound for the first append of a fresh child (start-up, key creation, fsyncs). */
const APPEND_PATIENCE_MS = 10_000;

describe('an appender killed with SIGKILL', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('loses no append that returned, leaves no seq gap, and verifies', async () => {
    const random = seededRandom(20_240_605);
    const returned = new Set<number>();
    const rounds: Array<{ anywhere: boolean; appended: number; signal: NodeJS.Signals | null }> = [];
    for (let round = 0; round < KILLS; round++) {
      const child = spawnAppender([temp.dir]);
      // Most kills land mid-append, some time after the first append returned; every fifth may land
      // anywhere, start-up and key creation included.
      const anywhere = round % 5 === 0;
      const delay = anywhere ? random() * 300 : random() * 60;
      // A mid-append round waits for the first append; one that never comes ends the round empty.
      const kill = setTimeout(() => child.kill('SIGKILL'), anywhere ? delay : APPEND_PATIENCE_MS);
      let armed = anywhere;
      const lines = await collectLines(child, (line) => {
        if (armed || !line.startsWith('APPENDED ')) return;
        armed = true;
        clearTimeout(kill);
        setTimeout(() => child.kill('SIGKILL'), delay);
      });
      clearTimeout(kill);
      const appended = lines.map((line) => /^APPENDED (\d+)$/.exec(line)).filter((match) => match !== null);
      for (const match of appended) returned.add(Number(match[1]));
      rounds.push({ anywhere, appended: appended.length, signal: child.signalCode });
    }
    // Every child died by the kill, not by a fault of its own, and every mid-append round appended.
    expect(rounds.filter((round) => round.signal !== 'SIGKILL')).toEqual([]);
    expect(rounds.filter((round) => !round.anywhere && round.appended === 0)).toEqual([]);

    const journal = openJournal(temp.dir);
    try {
      const head = journal.head();
      const seqs = journal.read(0, 100_000).map((entry) => entry.seq);
      expect(seqs).toEqual(Array.from({ length: head.seq }, (_, index) => index + 1));
      const missing = [...returned].filter((seq) => seq > head.seq);
      expect(missing).toEqual([]);
      expect(journal.verify('full')).toEqual({ ok: true, checkedFrom: 1, checkedTo: head.seq, entries: head.seq });
    } finally {
      journal.close();
    }
  });
});
