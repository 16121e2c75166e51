import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { entryHash } from '../../src/journal/canonical.js';
import { keyIdOf } from '../../src/journal/keyCrypto.js';
import type { EntryContent, JournalHead } from '../../src/journal/types.js';
import { appendSignIns, useJournal } from './helpers.js';

describe('tampering with the journal', () => {
  const j = useJournal((journal) => appendSignIns(journal, 10));

  function verifyAfter(edit: Parameters<typeof j.tamperAndReopen>[0]) {
    return j.tamperAndReopen(edit).verify('full');
  }

  it('an untouched journal verifies', () => {
    expect(j.journal.verify('full')).toEqual({ ok: true, checkedFrom: 1, checkedTo: 10, entries: 10 });
  });

  it('reports a changed payload byte at its seq', () => {
    const result = verifyAfter((db) => {
      const { payload } = db.prepare('SELECT payload FROM events WHERE seq = 6').get() as { payload: string };
      const changed = payload.replace('"score":125', '"score":126');
      expect(changed).not.toBe(payload);
      db.prepare('UPDATE events SET payload = ? WHERE seq = 6').run(changed);
    });
    expect(result).toEqual({
      ok: false,
      firstBrokenSeq: 6,
      reason: 'entry 6 was changed: its content no longer matches its hash',
      checkedFrom: 1,
    });
  });

  it('reports a changed entry whose hash was recomputed by its bad signature', () => {
    const result = verifyAfter((db) => {
      const row = db.prepare('SELECT * FROM events WHERE seq = 4').get() as Record<string, unknown>;
      const content = {
        seq: 4,
        id: row.id,
        type: row.type,
        payload: { memberId: 'someone-else', page: 3, score: 123 },
        wallMs: row.wall_ms,
        bootId: row.boot_id,
        monoMs: row.mono_ms,
        clock: row.clock,
        prevHash: row.prev_hash,
        keyId: row.key_id,
      } as EntryContent;
      db.prepare('UPDATE events SET payload = ?, hash = ? WHERE seq = 4').run(
        JSON.stringify(content.payload),
        entryHash(content),
      );
    });
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(result.ok === false && result.reason).toMatch(
      /^entry 4 has a bad signature \(key [0-9a-f]{16}\): it was rewritten without the device key$/,
    );
  });

  it('reports a deleted middle row at its seq', () => {
    const result = verifyAfter((db) => db.prepare('DELETE FROM events WHERE seq = 5').run());
    expect(result).toEqual({
      ok: false,
      firstBrokenSeq: 5,
      reason: 'entry 5 is missing (the next entry present is seq 6)',
      checkedFrom: 1,
    });
  });

  it('reports re-ordered rows at the first moved seq', () => {
    const result = verifyAfter((db) => {
      db.prepare('UPDATE events SET seq = -1 WHERE seq = 3').run();
      db.prepare('UPDATE events SET seq = 3 WHERE seq = 7').run();
      db.prepare('UPDATE events SET seq = 7 WHERE seq = -1').run();
    });
    expect(result).toEqual({
      ok: false,
      firstBrokenSeq: 3,
      reason: 'entry 3 is out of order: it holds the entry written as seq 7',
      checkedFrom: 1,
    });
  });

  it('reports the oldest rows deleted without a checkpoint', () => {
    const result = verifyAfter((db) => db.prepare('DELETE FROM events WHERE seq <= 3').run());
    expect(result).toEqual({
      ok: false,
      firstBrokenSeq: 1,
      reason: 'entries 1…3 are missing (the next entry present is seq 4), and no signed checkpoint records a prune',
      checkedFrom: 1,
    });
  });

  describe('the newest rows deleted', () => {
    const k = 3;
    let anchored: JournalHead;
    beforeEach(() => {
      anchored = j.journal.head();
      j.journal.anchor({ seq: anchored.seq, hash: anchored.hash, centerTimeMs: 1_700_000_100_000 });
    });

    it('are reported against the journal head', () => {
      const result = verifyAfter((db) => db.prepare('DELETE FROM events WHERE seq > ?').run(10 - k));
      expect(result).toEqual({
        ok: false,
        firstBrokenSeq: 8,
        reason: 'entries after seq 7 are missing: the journal head is seq 10',
        checkedFrom: 1,
      });
    });

    it('are reported against the head the center anchored when the attacker also fixed the head', () => {
      const result = verifyAfter((db) => {
        db.prepare('DELETE FROM events WHERE seq > ?').run(10 - k);
        const { hash } = db.prepare('SELECT hash FROM events WHERE seq = 7').get() as { hash: string };
        db.prepare('UPDATE journal_meta SET head_seq = 7, head_hash = ?, verified_seq = 0').run(hash);
      });
      expect(result).toEqual({
        ok: false,
        firstBrokenSeq: 8,
        reason: 'entries after seq 7 are missing: the center acknowledged up to seq 10',
        checkedFrom: 1,
      });
    });

    it('and rewritten under the same seqs are reported at the anchored seq', () => {
      j.tamperAndReopen((db) => {
        db.prepare('DELETE FROM events WHERE seq > 7').run();
        const { hash } = db.prepare('SELECT hash FROM events WHERE seq = 7').get() as { hash: string };
        db.prepare('UPDATE journal_meta SET head_seq = 7, head_hash = ?, verified_seq = 0').run(hash);
      });
      appendSignIns(j.journal, 3);
      const result = j.journal.verify('full');
      expect(result).toMatchObject({ ok: false, firstBrokenSeq: 10 });
      expect(result.ok === false && result.reason).toMatch(
        /^entry 10 is not the entry the center acknowledged \(hash [0-9a-f]{12}…, found [0-9a-f]{12}…\)$/,
      );
    });
  });

  it('rejects entries signed by a key inserted by hand', () => {
    const attacker = generateKeyPairSync('ed25519');
    const publicKey = attacker.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const keyId = keyIdOf(publicKey);
    const result = verifyAfter((db) => {
      const current = db.prepare('SELECT key_id FROM device_keys').get() as { key_id: string };
      db.prepare(
        'INSERT INTO device_keys (key_id, public_key, first_seq, previous_key_id, endorsement) VALUES (?, ?, 11, ?, ?)',
      ).run(keyId, publicKey, current.key_id, sign(null, Buffer.alloc(32), attacker.privateKey).toString('base64'));
      const head = db.prepare('SELECT head_hash FROM journal_meta').get() as { head_hash: string };
      const content: EntryContent = {
        seq: 11,
        id: randomUUID(),
        type: 'signin.accepted',
        payload: { memberId: 'ghost', page: 99, score: 200 },
        wallMs: 1_700_000_000_000,
        bootId: 'boot-a',
        monoMs: 5000,
        clock: 'synced',
        prevHash: head.head_hash,
        keyId,
      };
      const hash = entryHash(content);
      const signature = sign(null, Buffer.from(hash, 'hex'), attacker.privateKey).toString('base64');
      db.prepare(
        'INSERT INTO events (seq, id, type, payload, wall_ms, boot_id, mono_ms, clock, prev_hash, hash, key_id, signature) VALUES (11, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
        content.id,
        content.type,
        JSON.stringify(content.payload),
        content.wallMs,
        content.bootId,
        content.monoMs,
        content.clock,
        content.prevHash,
        hash,
        keyId,
        signature,
      );
      db.prepare('UPDATE journal_meta SET head_seq = 11, head_hash = ?').run(hash);
    });
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 11 });
    expect(result.ok === false && result.reason).toBe(
      `entry 11 is signed by a key that is not trusted: key ${keyId} has no valid endorsement by key ${j.journal.read(0, 1)[0]!.keyId}: no rotation introduced it`,
    );
  });

  it('is found by the verification at open, and recording goes on', () => {
    j.tamperAndReopen((db) => db.prepare('DELETE FROM events WHERE seq = 2').run());
    expect(j.journal.lastVerify).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    expect(j.journal.append('signin.accepted', { memberId: 'm-after' }).seq).toBe(11);
  });

  it('is found by the verification at open when an already verified entry changed', () => {
    j.reopen();
    j.tamperAndReopen((db) => db.prepare("UPDATE events SET hash = 'ab' || substr(hash, 3) WHERE seq = 10").run());
    expect(j.journal.lastVerify).toEqual({
      ok: false,
      firstBrokenSeq: 10,
      reason: 'entry 10 was changed: its content no longer matches its hash',
      checkedFrom: 1,
    });
  });

  it('is named at the first broken seq by the verification at open, even when the last verified entry changed too', () => {
    j.reopen();
    expect(j.journal.db.prepare('SELECT verified_seq FROM journal_meta').get()).toEqual({ verified_seq: 10 });
    const result = j.tamperAndReopen((db) => {
      db.prepare('UPDATE events SET payload = replace(payload, \'"score":123\', \'"score":200\') WHERE seq = 4').run();
      db.prepare('DELETE FROM events WHERE seq = 10').run();
    }).lastVerify;
    expect(result).toEqual({
      ok: false,
      firstBrokenSeq: 4,
      reason: 'entry 4 was changed: its content no longer matches its hash',
      checkedFrom: 1,
    });
  });
});
