import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { readFullVerification, runFullVerification, verifyPaced } from '../../src/journal/backgroundVerify.js';
import { verifyJournal } from '../../src/journal/verify.js';
import { createSilentLogger } from '../../src/log.js';
import { EventBus } from '../../src/daemon/bus.js';
import type { Journal } from '../../src/journal/journal.js';
import { appendSignIns, useJournal } from './helpers.js';

const DAY = 86_400_000;
/** Many entries in one commit: one fsync instead of one per entry. */
function appendMany(journal: Journal, count: number): void {
  journal.transaction((tx) => {
    for (let i = 0; i < count; i++) tx.append('signin.accepted', { memberId: `bulk-${i}` });
  });
}

/** No pause worth the name: these tests are about the verdict, not the pace. */
const FAST = { entriesPerSecond: 1e9 };

/** Edits an attacker could make with a sqlite3 shell, at slice boundaries and inside slices. */
const TAMPER_CASES: Array<[string, (db: Database.Database) => void]> = [
  ['nothing changed', () => {}],
  ['a payload changed (seq 6)', (db) => db.prepare('UPDATE events SET payload = \'{"x":1}\' WHERE seq = 6').run()],
  [
    'a payload changed at a slice boundary (seq 4)',
    (db) => db.prepare("UPDATE events SET payload = '[]' WHERE seq = 4").run(),
  ],
  ['a payload that is not JSON (seq 1)', (db) => db.prepare("UPDATE events SET payload = '{' WHERE seq = 1").run()],
  ['the last entry changed', (db) => db.prepare("UPDATE events SET payload = '0' WHERE seq = 25").run()],
  ['a middle row deleted', (db) => db.prepare('DELETE FROM events WHERE seq = 13').run()],
  ['the oldest rows deleted', (db) => db.prepare('DELETE FROM events WHERE seq <= 7').run()],
  ['the newest rows deleted', (db) => db.prepare('DELETE FROM events WHERE seq > 19').run()],
  [
    'rows swapped',
    (db) => {
      db.prepare('UPDATE events SET seq = -1 WHERE seq = 9').run();
      db.prepare('UPDATE events SET seq = 9 WHERE seq = 17').run();
      db.prepare('UPDATE events SET seq = 17 WHERE seq = -1').run();
    },
  ],
  ['a hash rewritten', (db) => db.prepare("UPDATE events SET hash = 'ab' || substr(hash, 3) WHERE seq = 11").run()],
  [
    'a signature rewritten',
    (db) => db.prepare("UPDATE events SET signature = 'AAAA' || substr(signature, 5) WHERE seq = 20").run(),
  ],
  ['a prevHash rewritten', (db) => db.prepare('UPDATE events SET prev_hash = substr(hash, 1) WHERE seq = 8').run()],
  ['the head edited', (db) => db.prepare("UPDATE journal_meta SET head_hash = '00' || substr(head_hash, 3)").run()],
  [
    'the newest rows deleted and the head moved back, against the anchor',
    (db) => {
      db.prepare('DELETE FROM events WHERE seq > 21').run();
      const { hash } = db.prepare('SELECT hash FROM events WHERE seq = 21').get() as { hash: string };
      db.prepare('UPDATE journal_meta SET head_seq = 21, head_hash = ?').run(hash);
    },
  ],
  ['the signing key deleted', (db) => db.prepare('DELETE FROM device_keys').run()],
];

describe('a paced full verification', () => {
  const j = useJournal((journal) => {
    appendSignIns(journal, 25);
    journal.anchor(journal.head());
  });

  for (const [name, edit] of TAMPER_CASES) {
    it(`gives verifyJournal's verdict, slice after slice: ${name}`, async () => {
      j.tamperAndReopen(edit);
      const whole = verifyJournal(j.journal.db, 'full');
      for (const sliceEntries of [1, 3, 4, 25, 1000]) {
        expect(await verifyPaced(j.journal.db, 'full', { ...FAST, sliceEntries }), `slices of ${sliceEntries}`).toEqual(
          whole,
        );
      }
      if (name !== 'nothing changed') expect(whole.ok).toBe(false);
    });
  }

  it('agrees on a pruned journal, and names a checkpoint whose signature was forged', async () => {
    j.clock.advance(91 * DAY);
    appendSignIns(j.journal, 5);
    expect(j.journal.prune({ retentionDays: 90, nowWallMs: j.clock.wallMs })).toMatchObject({ throughSeq: 25 });
    const whole = verifyJournal(j.journal.db, 'full');
    expect(whole).toMatchObject({ ok: true, checkedFrom: 26 });
    expect(await verifyPaced(j.journal.db, 'full', { ...FAST, sliceEntries: 2 })).toEqual(whole);
    j.tamperAndReopen((db) => db.prepare("UPDATE checkpoints SET signature = 'AAAA' || substr(signature, 5)").run());
    const forged = verifyJournal(j.journal.db, 'full');
    expect(forged).toMatchObject({ ok: false, firstBrokenSeq: 25 });
    expect(await verifyPaced(j.journal.db, 'full', { ...FAST, sliceEntries: 2 })).toEqual(forged);
  });

  it('goes on to what is appended between slices, and from the checkpoint of a prune between slices', async () => {
    let slices = 0;
    const appended = await verifyPaced(j.journal.db, 'full', {
      ...FAST,
      sliceEntries: 5,
      onSlice: () => {
        if (slices++ === 2) appendSignIns(j.journal, 3);
      },
    });
    expect(appended).toEqual({ ok: true, checkedFrom: 1, checkedTo: 28, entries: 28 });

    j.journal.anchor(j.journal.head());
    j.clock.advance(91 * DAY);
    appendSignIns(j.journal, 2);
    let pruned = false;
    const afterPrune = await verifyPaced(j.journal.db, 'full', {
      ...FAST,
      sliceEntries: 4,
      onSlice: () => {
        if (!pruned) pruned = j.journal.prune({ retentionDays: 90, nowWallMs: j.clock.wallMs }) !== undefined;
      },
    });
    expect(pruned).toBe(true);
    expect(afterPrune).toEqual(verifyJournal(j.journal.db, 'full'));
    expect(afterPrune).toMatchObject({ ok: true, checkedFrom: 29 });
  });

  it('yields between slices and keeps within its entries-per-second budget', async () => {
    appendMany(j.journal, 2975);
    const entriesPerSecond = 20_000;
    const sliceEntries = 100;
    let ticks = 0;
    let slices = 0;
    let ticksAtFirstSlice = 0;
    const timer = setInterval(() => ticks++, 1);
    const began = performance.now();
    try {
      const result = await verifyPaced(j.journal.db, 'full', {
        sliceEntries,
        entriesPerSecond,
        onSlice: () => {
          if (slices++ === 0) ticksAtFirstSlice = ticks;
        },
      });
      expect(result).toEqual({ ok: true, checkedFrom: 1, checkedTo: 3000, entries: 3000 });
    } finally {
      clearInterval(timer);
    }
    const elapsedMs = performance.now() - began;
    expect(slices).toBe(30);
    // Every pause lets the due timer run before the next slice: the event loop is never held for the whole walk.
    expect(ticks - ticksAtFirstSlice).toBeGreaterThanOrEqual(slices - 1);
    // The budget is a floor on the walk's duration, whatever the machine's speed.
    expect(elapsedMs).toBeGreaterThanOrEqual(((3000 - sliceEntries) / entriesPerSecond) * 1000 * 0.9);
  });

  it('stops when aborted and records nothing', async () => {
    appendMany(j.journal, 500);
    const controller = new AbortController();
    const record = await runFullVerification({
      db: j.journal.db,
      clock: j.clock,
      logger: createSilentLogger(),
      trigger: 'daily',
      sliceEntries: 10,
      signal: controller.signal,
      onSlice: () => controller.abort(),
    });
    expect(record).toBeUndefined();
    expect(readFullVerification(j.journal.db)).toBeUndefined();
  });

  it('records its outcome, raises journal.tamper on a break, and a prune is refused after it', async () => {
    j.reopen();
    j.tamperAndReopen((db) => db.prepare("UPDATE events SET payload = '{}' WHERE seq = 6").run());
    // The check at open starts after the last verified entry: it cannot see the change.
    expect(j.journal.lastVerify).toEqual({ ok: true, checkedFrom: 26, checkedTo: 25, entries: 0 });
    const bus = new EventBus();
    const tampers: unknown[] = [];
    bus.on('test', 'journal.tamper', (event) => tampers.push(event));
    const record = await runFullVerification({
      db: j.journal.db,
      clock: j.clock,
      logger: createSilentLogger(),
      bus,
      trigger: 'unclean-stop',
      ...FAST,
    });
    const broken = {
      ok: false,
      firstBrokenSeq: 6,
      reason: 'entry 6 was changed: its content no longer matches its hash',
      checkedFrom: 1,
    };
    expect(record).toEqual({
      trigger: 'unclean-stop',
      startedWallMs: j.clock.wallMs,
      finishedWallMs: j.clock.wallMs,
      result: broken,
    });
    expect(tampers).toEqual([{ firstBrokenSeq: 6, reason: broken.reason }]);
    expect(j.reopen() && readFullVerification(j.journal.db)).toEqual(record);
    j.clock.advance(91 * DAY);
    expect(j.journal.prune({ retentionDays: 90, nowWallMs: j.clock.wallMs })).toBeUndefined();
    expect(j.journal.read(0, 1)[0]!.seq).toBe(1);
  });
});
