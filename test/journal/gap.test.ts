import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isAgentError } from '../../src/errors.js';
import { JOURNAL_GAP_EVENT, type JournalGapPayload } from '../../src/journal/gap.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { SEQ_BOOKKEEPING, SEQ_REFERENCES } from '../../src/store/seqReferences.js';
import { appendSignIns, errorOf, useJournal } from './helpers.js';

describe('a journal continuing above a gap', () => {
  const j = useJournal((journal) => appendSignIns(journal, 5));
  const entryAt = (seq: number) => j.journal.read(seq - 1, 1)[0]!;

  it('skips to above the highest seq used, links to the entry it continues from and verifies', () => {
    const from = { seq: 5, hash: entryAt(5).hash };
    const { gap, payload, carried } = j.journal.continueAfterLoss({
      from,
      above: 9,
      reason: 'damaged',
      detail: 'index page damaged',
      carry: [],
    });
    expect(gap.seq).toBe(10);
    expect(gap.prevHash).toBe(from.hash);
    expect(carried).toEqual([]);
    expect(payload).toEqual({
      reason: 'damaged',
      detail: 'index page damaged',
      continuesFrom: from,
      lost: { fromSeq: 6, toSeq: 9 },
      carried: null,
    });
    expect(j.journal.append('signin.accepted', { memberId: 'm-after' }).seq).toBe(11);
    expect(j.reopen().verify('full')).toEqual({ ok: true, checkedFrom: 1, checkedTo: 11, entries: 7 });
  });

  it('declares nothing lost when it continues right after its last entry', () => {
    const { gap, payload } = j.journal.continueAfterLoss({
      from: { seq: 5, hash: entryAt(5).hash },
      above: 5,
      reason: 'damaged',
      detail: 'file replaced',
      carry: [],
    });
    expect(gap.seq).toBe(6);
    expect(payload.lost).toBeNull();
    expect(j.journal.verify('full').ok).toBe(true);
  });

  it('refuses to continue from an entry that is not the last one in the file', () => {
    const error = errorOf(() =>
      j.journal.continueAfterLoss({
        from: { seq: 3, hash: entryAt(3).hash },
        above: 9,
        reason: 'damaged',
        detail: '',
        carry: [],
      }),
    );
    expect(isAgentError(error, ErrorCode.JournalBadInput)).toBe(true);
    expect(j.journal.head().seq).toBe(5);
  });

  it('fails verification when a hand edit widens the lost range', () => {
    j.journal.continueAfterLoss({
      from: { seq: 5, hash: entryAt(5).hash },
      above: 7,
      reason: 'damaged',
      detail: '',
      carry: [],
    });
    j.journal.append('signin.accepted', { memberId: 'm-9' });
    const widened = j.tamperAndReopen((db) => {
      const row = db.prepare('SELECT payload FROM events WHERE seq = 8').get() as { payload: string };
      const payload = JSON.parse(row.payload) as JournalGapPayload;
      payload.lost = { fromSeq: 4, toSeq: 7 };
      db.prepare('UPDATE events SET payload = ? WHERE seq = 8').run(JSON.stringify(payload));
    });
    expect(widened.verify('full')).toMatchObject({ ok: false, firstBrokenSeq: 8 });
  });

  it('a forged gap (not signed by the device) is a broken chain', () => {
    j.journal.continueAfterLoss({
      from: { seq: 5, hash: entryAt(5).hash },
      above: 7,
      reason: 'damaged',
      detail: '',
      carry: [],
    });
    const forged = j.tamperAndReopen((db) => {
      db.prepare('UPDATE events SET signature = (SELECT signature FROM events WHERE seq = 1) WHERE seq = 8').run();
    });
    expect(forged.verify('full')).toMatchObject({ ok: false, firstBrokenSeq: 8 });
  });
});

describe('a journal rebased after the center turned out to be ahead', () => {
  const j = useJournal((journal) => appendSignIns(journal, 6));
  const entryAt = (seq: number) => j.journal.read(seq - 1, 1)[0]!;

  it('moves what the center never confirmed to the branch table and re-appends it above the gap', () => {
    j.journal.anchor({ seq: 4, hash: entryAt(4).hash });
    const branch = [entryAt(5), entryAt(6)];
    j.clock.wallMs += 60_000;
    const continued = j.journal.rebaseAfterCenter({ centerSeq: 7, detail: 'the center holds up to seq 7' });
    expect(continued?.gap.seq).toBe(8);
    expect(continued?.payload).toMatchObject({
      reason: 'rollback',
      continuesFrom: { seq: 4, hash: entryAt(4).hash },
      lost: { fromSeq: 5, toSeq: 7 },
      carried: { fromSeq: 9, toSeq: 10, count: 2 },
    });
    const copies = j.journal.read(8, 10);
    expect(copies.map((entry) => entry.seq)).toEqual([9, 10]);
    for (const [index, copy] of copies.entries()) {
      const original = branch[index]!;
      expect(copy).toMatchObject({
        id: original.id,
        type: original.type,
        payload: original.payload,
        wallMs: original.wallMs,
        monoMs: original.monoMs,
        bootId: original.bootId,
      });
    }
    expect(j.journal.syncCursor()?.seq).toBe(4);
    const kept = j.journal.db
      .prepare('SELECT seq, id, hash, gap_seq, carried_seq FROM journal_branches ORDER BY seq')
      .all();
    expect(kept).toEqual([
      { seq: 5, id: branch[0]!.id, hash: branch[0]!.hash, gap_seq: 8, carried_seq: 9 },
      { seq: 6, id: branch[1]!.id, hash: branch[1]!.hash, gap_seq: 8, carried_seq: 10 },
    ]);
    expect(j.reopen().verify('full')).toMatchObject({ ok: true, checkedTo: 10 });
    expect(j.journal.append('signin.accepted', { memberId: 'm-new' }).seq).toBe(11);
  });

  it('does nothing twice: a repeated trigger finds the gap already above the center', () => {
    j.journal.anchor({ seq: 4, hash: entryAt(4).hash });
    expect(j.journal.rebaseAfterCenter({ centerSeq: 7, detail: '' })?.gap.seq).toBe(8);
    expect(j.journal.rebaseAfterCenter({ centerSeq: 7, detail: '' })).toBeUndefined();
    expect(j.journal.rebaseAfterCenter({ centerSeq: 5, detail: '' })).toBeUndefined();
    expect(j.journal.head().seq).toBe(10);
  });

  it('with nothing unconfirmed and the center not ahead, there is nothing to do', () => {
    j.journal.anchor({ seq: 6, hash: entryAt(6).hash });
    expect(j.journal.rebaseAfterCenter({ centerSeq: 6, detail: '' })).toBeUndefined();
    expect(j.journal.head().seq).toBe(6);
  });

  it('continues above the center even when nothing was written after the restore', () => {
    j.journal.anchor({ seq: 6, hash: entryAt(6).hash });
    const continued = j.journal.rebaseAfterCenter({ centerSeq: 9, detail: '' });
    expect(continued?.payload).toMatchObject({ lost: { fromSeq: 7, toSeq: 9 }, carried: null });
    expect(j.journal.append('signin.accepted', { memberId: 'm-new' }).seq).toBe(11);
    expect(j.journal.verify('full').ok).toBe(true);
  });

  it('does not re-sign an entry changed without the device key: it stays in the branch table only', () => {
    j.journal.anchor({ seq: 4, hash: entryAt(4).hash });
    const changed = j.tamperAndReopen((db) => {
      db.prepare(`UPDATE events SET payload = '{"memberId":"someone-else"}' WHERE seq = 6`).run();
    });
    const continued = changed.rebaseAfterCenter({ centerSeq: 7, detail: '' });
    expect(continued?.carried.map((entry) => entry.id)).toEqual([entryAt(9).id]);
    expect(continued?.payload.carried).toEqual({ fromSeq: 9, toSeq: 9, count: 1 });
    const kept = changed.db.prepare('SELECT seq, carried_seq FROM journal_branches ORDER BY seq').all();
    expect(kept).toEqual([
      { seq: 5, carried_seq: 9 },
      { seq: 6, carried_seq: null },
    ]);
    expect(changed.verify('full').ok).toBe(true);
  });

  it('keeps rows that named a moved entry pointing at its copy', () => {
    j.journal.anchor({ seq: 4, hash: entryAt(4).hash });
    j.journal.db
      .prepare("INSERT INTO members (member_id, name, status, updated_seq) VALUES (?, ?, 'active', ?)")
      .run('m-x', 'X', 6);
    j.journal.rebaseAfterCenter({ centerSeq: 7, detail: '' });
    expect(j.journal.db.prepare("SELECT updated_seq FROM members WHERE member_id = 'm-x'").get()).toEqual({
      updated_seq: 10,
    });
  });

  it('re-appends a gap and a key rotation of the branch only as evidence', () => {
    j.journal.anchor({ seq: 4, hash: entryAt(4).hash });
    j.journal.rotateKey();
    const continued = j.journal.rebaseAfterCenter({ centerSeq: 7, detail: '' });
    expect(continued?.carried.map((entry) => entry.type)).toEqual(['signin.accepted', 'signin.accepted']);
    expect(continued?.gap.seq).toBe(8);
    expect(j.reopen().verify('full').ok).toBe(true);
    expect(j.journal.read(0, 100).filter((entry) => entry.type === JOURNAL_GAP_EVENT)).toHaveLength(1);
  });
});

describe('seq references', () => {
  it('name every seq column of the schema, as a reference to follow or as bookkeeping', () => {
    const db = new Database(':memory:');
    try {
      for (const migration of MIGRATIONS) db.exec(migration.sql);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      const columns = tables.flatMap(({ name }) =>
        (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as Array<{ name: string }>)
          .filter((column) => column.name === 'seq' || column.name.endsWith('_seq'))
          .map((column) => `${name}.${column.name}`),
      );
      const listed = [...SEQ_REFERENCES, ...SEQ_BOOKKEEPING].map(([table, column]) => `${table}.${column}`);
      expect(columns.sort()).toEqual(listed.sort());
    } finally {
      db.close();
    }
  });
});
