import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appendSignIns, useJournal } from './helpers.js';

const DAY_MS = 86_400_000;

describe('pruning the journal', () => {
  const j = useJournal();

  function anchorAt(seq: number): void {
    const [entry] = j.journal.read(seq - 1, 1);
    j.journal.anchor({ seq, hash: entry!.hash });
  }

  const now = () => j.clock.wallMs;

  it('deletes acknowledged entries past the retention and leaves a chain that verifies', () => {
    appendSignIns(j.journal, 10);
    anchorAt(6);
    j.clock.advance(3 * DAY_MS);
    const result = j.journal.prune({ retentionDays: 2, nowWallMs: now() });
    expect(result).toMatchObject({
      throughSeq: 6,
      deleted: 6,
      entry: { seq: 11, type: 'journal.pruned', payload: { throughSeq: 6, deleted: 6, retentionDays: 2 } },
    });
    expect(j.journal.read(0, 100).map((entry) => entry.seq)).toEqual([7, 8, 9, 10, 11]);
    expect(j.journal.verify('full')).toEqual({ ok: true, checkedFrom: 7, checkedTo: 11, entries: 5 });
    j.reopen();
    expect(j.journal.lastVerify.ok).toBe(true);
    expect(j.journal.append('a.b', {}).seq).toBe(12);
  });

  it('never prunes unacknowledged entries, however old', () => {
    appendSignIns(j.journal, 5);
    j.clock.advance(400 * DAY_MS);
    expect(j.journal.prune({ retentionDays: 1, nowWallMs: now() })).toBeUndefined();
    anchorAt(2);
    expect(j.journal.prune({ retentionDays: 1, nowWallMs: now() })).toMatchObject({ throughSeq: 2 });
    expect(j.journal.read(0, 100).map((entry) => entry.seq)).toEqual([3, 4, 5, 6]);
  });

  it('keeps acknowledged entries younger than the retention', () => {
    appendSignIns(j.journal, 3);
    j.clock.advance(DAY_MS);
    appendSignIns(j.journal, 3);
    anchorAt(6);
    j.clock.advance(DAY_MS + 1000);
    expect(j.journal.prune({ retentionDays: 2, nowWallMs: now() })).toMatchObject({ throughSeq: 3, deleted: 3 });
    expect(j.journal.prune({ retentionDays: 2, nowWallMs: now() })).toBeUndefined();
  });

  it('prunes entries of unknown time only behind an entry whose time is known to be old', () => {
    j.clock.bootId = 'earlier-boot';
    j.clock.state = 'unsynced';
    j.clock.wallMs = 0;
    appendSignIns(j.journal, 3);
    j.clock.bootId = 'boot-a';
    j.clock.state = 'synced';
    j.clock.wallMs = 1_700_000_000_000;
    appendSignIns(j.journal, 2);
    j.clock.state = 'unsynced';
    j.clock.wallMs = 0;
    appendSignIns(j.journal, 2);
    anchorAt(7);
    expect(j.journal.prune({ retentionDays: 1, nowWallMs: 1_700_000_000_000 + 2 * DAY_MS })).toMatchObject({
      throughSeq: 5,
    });
    expect(j.journal.read(0, 100).map((entry) => entry.seq)).toEqual([6, 7, 8]);
  });

  it('prunes again from the previous checkpoint', () => {
    appendSignIns(j.journal, 4);
    anchorAt(2);
    j.clock.advance(3 * DAY_MS);
    j.journal.prune({ retentionDays: 1, nowWallMs: now() });
    anchorAt(5);
    j.clock.advance(3 * DAY_MS);
    expect(j.journal.prune({ retentionDays: 1, nowWallMs: now() })).toMatchObject({ throughSeq: 5, deleted: 3 });
    expect(j.journal.verify('full')).toEqual({ ok: true, checkedFrom: 6, checkedTo: 6, entries: 1 });
  });

  it('refuses to prune a journal that fails verification', () => {
    appendSignIns(j.journal, 6);
    anchorAt(6);
    j.tamperAndReopen((db) => db.prepare('DELETE FROM events WHERE seq = 2').run());
    j.clock.advance(3 * DAY_MS);
    expect(j.journal.prune({ retentionDays: 1, nowWallMs: now() })).toBeUndefined();
    expect(j.journal.read(0, 100)).toHaveLength(5);
  });

  it('reports a checkpoint the device did not sign', () => {
    appendSignIns(j.journal, 6);
    const attacker = generateKeyPairSync('ed25519');
    j.tamperAndReopen((db) => {
      const { hash, key_id: keyId } = db.prepare('SELECT hash, key_id FROM events WHERE seq = 3').get() as {
        hash: string;
        key_id: string;
      };
      db.prepare('DELETE FROM events WHERE seq <= 3').run();
      db.prepare('INSERT INTO checkpoints (seq, hash, wall_ms, key_id, signature) VALUES (3, ?, 0, ?, ?)').run(
        hash,
        keyId,
        sign(null, Buffer.alloc(32), attacker.privateKey).toString('base64'),
      );
    });
    expect(j.journal.verify('full')).toEqual({
      ok: false,
      firstBrokenSeq: 3,
      reason: 'the checkpoint at seq 3 has a bad signature: it was not written by a prune of this device',
      checkedFrom: 4,
    });
  });

  it('reports entries deleted after the checkpoint', () => {
    appendSignIns(j.journal, 6);
    anchorAt(2);
    j.clock.advance(3 * DAY_MS);
    j.journal.prune({ retentionDays: 1, nowWallMs: now() });
    j.tamperAndReopen((db) => db.prepare('DELETE FROM events WHERE seq = 3').run());
    expect(j.journal.verify('full')).toEqual({
      ok: false,
      firstBrokenSeq: 3,
      reason: 'entry 3 is missing (the next entry present is seq 4)',
      checkedFrom: 3,
    });
  });
});
