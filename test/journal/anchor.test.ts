import { describe, expect, it } from 'vitest';
import { ErrorCode, isAgentError } from '../../src/errors.js';
import { appendSignIns, errorOf, useJournal } from './helpers.js';

describe("the center's acknowledgement", () => {
  const j = useJournal((journal) => appendSignIns(journal, 5));

  const hashAt = (seq: number) => j.journal.read(seq - 1, 1)[0]!.hash;

  it('is stored as the sync cursor with the local time it arrived', () => {
    expect(j.journal.syncCursor()).toBeUndefined();
    j.journal.anchor({ seq: 3, hash: hashAt(3), centerTimeMs: 1_700_000_999_000 });
    expect(j.journal.syncCursor()).toEqual({
      seq: 3,
      hash: hashAt(3),
      centerTimeMs: 1_700_000_999_000,
      recordedMonoMs: 5000,
      recordedBootId: 'boot-a',
    });
  });

  it('never moves back on a late duplicate', () => {
    j.journal.anchor({ seq: 4, hash: hashAt(4) });
    j.journal.anchor({ seq: 2, hash: hashAt(2) });
    expect(j.journal.syncCursor()?.seq).toBe(4);
  });

  it('is refused, naming the seq, when the center saw a different entry', () => {
    const error = errorOf(() => j.journal.anchor({ seq: 3, hash: hashAt(4) }));
    expect(isAgentError(error, ErrorCode.JournalTampered)).toBe(true);
    expect(error.message).toBe('entry 3 differs from the entry the center acknowledged');
    expect(error.context).toMatchObject({ seq: 3 });
    expect(j.journal.syncCursor()).toBeUndefined();
  });

  it('is refused when the center acknowledged an entry the journal does not have', () => {
    const error = errorOf(() => j.journal.anchor({ seq: 9, hash: hashAt(5) }));
    expect(isAgentError(error, ErrorCode.JournalTampered)).toBe(true);
    expect(error.message).toBe('the center acknowledged seq 9, but the local journal has no entry 9 (head is seq 5)');
  });

  it('rejects a malformed acknowledgement with the field at fault', () => {
    const error = errorOf(() => j.journal.anchor({ seq: 0, hash: 'xyz' }));
    expect(isAgentError(error, ErrorCode.JournalBadInput)).toBe(true);
    expect(error.message).toBe(
      'invalid acknowledgement from the center: seq: Too small: expected number to be >=1; hash: 64 lowercase hex digits',
    );
  });
});
