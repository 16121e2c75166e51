import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/daemon/bus.js';
import { ErrorCode, isAgentError } from '../../src/errors.js';
import { entryHash } from '../../src/journal/canonical.js';
import { Journal } from '../../src/journal/journal.js';
import { GENESIS_HASH } from '../../src/journal/types.js';
import { createSilentLogger } from '../../src/log.js';
import { errorOf, useJournal } from './helpers.js';

describe('appending to the journal', () => {
  const j = useJournal();

  it('stamps each entry with seq, id, clocks and a chained, signed hash', () => {
    j.clock.state = 'unsynced';
    const first = j.journal.append('signin.accepted', { memberId: 'm-1', score: 150 });
    j.clock.advance(1500);
    const second = j.journal.append('signin.accepted', { memberId: 'm-2', score: 99 });
    expect(first).toMatchObject({
      seq: 1,
      type: 'signin.accepted',
      wallMs: 1_700_000_000_000,
      monoMs: 5000,
      bootId: 'boot-a',
      clock: 'unsynced',
      prevHash: GENESIS_HASH,
    });
    expect(second).toMatchObject({ seq: 2, wallMs: 1_700_000_001_500, monoMs: 6500, prevHash: first.hash });
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.id).not.toBe(second.id);
    expect(first.hash).toBe(entryHash(first));
    expect(first.signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(j.journal.head()).toEqual({ seq: 2, hash: second.hash });
    expect(j.journal.read(0, 10)).toEqual([first, second]);
    expect(j.journal.read(1, 10)).toEqual([second]);
  });

  it.each(['SignIn', 'signin', 'signin.', '.signin', 'sign in.accepted', 'signin.accepted!'])(
    'refuses the event type %j',
    (type) => {
      const error = errorOf(() => j.journal.append(type, {}));
      expect(isAgentError(error, ErrorCode.JournalBadInput)).toBe(true);
      expect((error as Error).message).toBe(
        `event type "${type}" must be dotted lowercase words, e.g. "signin.accepted"`,
      );
      expect(j.journal.head().seq).toBe(0);
    },
  );

  it('refuses a payload that is not plain JSON without using up a seq', () => {
    j.journal.append('signin.accepted', { memberId: 'm-1' });
    const error = errorOf(() => j.journal.append('signin.accepted', { memberId: 'm-2', at: new Date() } as never));
    expect(isAgentError(error, ErrorCode.JournalBadInput)).toBe(true);
    expect((error as Error).message).toBe('payload.at: Date is not a plain object; event payloads must be plain JSON');
    expect(j.journal.append('signin.accepted', { memberId: 'm-3' }).seq).toBe(2);
  });

  it('commits an event and another table together, or neither', () => {
    const insertMember = (memberId: string, seq: number) =>
      j.journal.db
        .prepare("INSERT INTO members (member_id, name, status, updated_seq) VALUES (?, 'n', 'active', ?)")
        .run(memberId, seq);
    j.journal.transaction((tx) => insertMember('m-1', tx.append('member.added', { memberId: 'm-1' }).seq));
    expect(() =>
      j.journal.transaction((tx) => {
        insertMember('m-2', tx.append('member.added', { memberId: 'm-2' }).seq);
        throw new Error('the activity store failed');
      }),
    ).toThrow('the activity store failed');
    expect(j.journal.head().seq).toBe(1);
    expect(j.journal.db.prepare('SELECT member_id FROM members').all()).toEqual([{ member_id: 'm-1' }]);
    expect(j.journal.verify('full').ok).toBe(true);
  });

  it('announces entries on the bus only once they are committed', () => {
    j.journal.close();
    const bus = new EventBus();
    const announced: number[] = [];
    bus.on('test', 'journal.appended', ({ seq }) => announced.push(seq));
    j.journal = Journal.open({ dataDir: j.dir, clock: j.clock, logger: createSilentLogger(), bus, access: 'create' });
    j.journal.transaction((tx) => {
      tx.append('a.b', {});
      tx.append('a.b', {});
      expect(announced).toEqual([]);
    });
    expect(() =>
      j.journal.transaction((tx) => {
        tx.append('a.b', {});
        throw new Error('rolled back');
      }),
    ).toThrow();
    j.journal.append('a.b', {});
    expect(announced).toEqual([1, 2, 3]);
  });

  it('never hands out a seq twice, even after the newest rows were deleted', () => {
    j.journal.append('a.b', { n: 1 });
    j.journal.append('a.b', { n: 2 });
    j.tamperAndReopen((db) => db.prepare('DELETE FROM events WHERE seq = 2').run());
    expect(j.journal.append('a.b', { n: 3 }).seq).toBe(3);
  });

  it('refuses to write entries directly over existing ones', () => {
    j.journal.append('a.b', { n: 1 });
    expect(() => j.journal.db.prepare("UPDATE events SET payload = '{}' WHERE seq = 1").run()).toThrow(
      'journal events are append-only',
    );
  });

  it('bounds a read', () => {
    expect(() => j.journal.read(0, 0)).toThrow(
      'read(afterSeq, limit) needs whole numbers and 1 ≤ limit ≤ 100000, got (0, 0)',
    );
    expect(j.journal.read(0, 100_000)).toEqual([]);
  });
});
