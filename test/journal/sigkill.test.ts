import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { collectLines, seededRandom, spawnAppender } from './durability.js';
import { openJournal } from './helpers.js';

const KILLS = 20;

describe('an appender killed with SIGKILL', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('loses no append that returned, leaves no seq gap, and verifies', async () => {
    const random = seededRandom(20_240_605);
    const returned = new Set<number>();
    for (let round = 0; round < KILLS; round++) {
      const child = spawnAppender([temp.dir]);
      // Most kills land mid-append; every fifth may land anywhere, start-up and key creation included.
      const anywhere = round % 5 === 0;
      const delay = anywhere ? random() * 300 : random() * 60;
      if (anywhere) setTimeout(() => child.kill('SIGKILL'), delay);
      const lines = await collectLines(child, (line) => {
        if (!anywhere && line === 'OPENED') setTimeout(() => child.kill('SIGKILL'), delay);
      });
      for (const line of lines) {
        const match = /^APPENDED (\d+)$/.exec(line);
        if (match) returned.add(Number(match[1]));
      }
    }
    expect(returned.size).toBeGreaterThan(KILLS);

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
