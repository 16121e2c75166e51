import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { journalGapPayloadSchema, JOURNAL_GAP_EVENT } from '../../src/journal/gap.js';
import { JOURNAL_FILE } from '../../src/journal/journal.js';
import { QUARANTINE_DIR } from '../../src/journal/quarantine/record.js';
import { runCli } from '../helpers/cli.js';
import { until, useSyncScenario, type SyncScenario } from '../helpers/syncScenario.js';
import { damageIndexRecords, damageLeaf } from '../journal/pageDamage.js';

const scenario = useSyncScenario();

/** A center's stored entry of the room, read from its database file. */
function centerEntry(sync: SyncScenario, seq: number): { type: string; payload: string } | undefined {
  const db = new Database(sync.centerDbFile, { readonly: true });
  try {
    return db.prepare('SELECT type, payload FROM events WHERE device_id = ? AND seq = ?').get(sync.deviceId, seq) as
      { type: string; payload: string } | undefined;
  } finally {
    db.close();
  }
}

/** A room that signed members in and synced them all, then stopped: its journal is ready to be damaged. */
async function syncedRoomStopped(sync: SyncScenario, signIns: number): Promise<number> {
  await sync.startCenter();
  await sync.room.start();
  await sync.room.addMembers();
  await sync.room.signIns(signIns);
  await sync.waitSynced();
  await sync.room.stop();
  return sync.room.readJournal(({ entries }) => entries(0, 100_000).at(-1)!.seq);
}

/**
 * The damaged file is gone from its place, a new journal runs, sign-ins go on being recorded and
 * reach the center after the gap, and the alarm is in status (JSON and text) and at the center.
 */
async function expectRunsOnNewJournal(sync: SyncScenario, keptThrough: number): Promise<number> {
  const { room } = sync;
  await room.start();
  const status = await room.status();
  const quarantined = status.journal.quarantined!;
  expect(quarantined.file).toMatch(/^journal-.+\.sqlite$/);
  expect(existsSync(join(room.dataDir, QUARANTINE_DIR, quarantined.file))).toBe(true);
  const text = await runCli(['status', '--config', room.configPath]);
  expect(text.stdout).toContain(`ALARM: the journal file was damaged and quarantined`);
  expect(text.stdout).toContain(`quarantine/${quarantined.file}`);

  const gap = room.readJournal(({ entries }) => entries(keptThrough, 1)[0]!);
  expect(gap.type).toBe(JOURNAL_GAP_EVENT);
  expect(journalGapPayloadSchema.parse(gap.payload)).toMatchObject({
    reason: 'damaged',
    continuesFrom: { seq: keptThrough },
    quarantinedFile: quarantined.file,
  });
  const signedIn = await room.signIns(5);
  const center = sync.center!;
  await until(
    () => {
      const stored = new Set(center.storedSeqs(room.deviceId));
      return stored.has(gap.seq) && signedIn.every(({ seq }) => stored.has(seq));
    },
    45_000,
    () => `the center to hold the gap (seq ${gap.seq}) and the sign-ins after it`,
  );
  expect(centerEntry(sync, gap.seq)?.type).toBe(JOURNAL_GAP_EVENT);
  await until(
    () => center.room(room.deviceId)?.journalQuarantined?.file === quarantined.file,
    45_000,
    () => 'the alarm in the health message at the center',
  );
  // The center verified the gap: its prefix runs through the new journal's head, and the room's alarm is raised there.
  await sync.waitSynced();
  expect(center.room(room.deviceId)?.damaged?.seq).toBe(gap.seq);
  // The new file verifies, gap included.
  const verify = await runCli(['journal', 'verify', '--config', room.configPath]);
  expect(verify.stdout).toMatch(/journal OK/);
  return gap.seq;
}

it('two bytes flipped in an index page: verify names the index, the daemon quarantines the file and runs on a new journal', async () => {
  const sync = await scenario();
  const head = await syncedRoomStopped(sync, 20);
  const file = join(sync.room.dataDir, JOURNAL_FILE);
  damageLeaf(file, 'sqlite_autoindex_events_1');

  const verify = await runCli(['journal', 'verify', '--config', sync.room.configPath]);
  expect(verify.code).toBe(65);
  expect(verify.stdout).toContain('journal file DAMAGED (SQLite)');
  expect(verify.stdout).toContain('index sqlite_autoindex_events_1 (table events)');
  expect(verify.stdout).toMatch(/what to do: restart the daemon .*quarantine/);

  // Index-only damage loses no entry: all are kept, and the gap skips nothing.
  const gapSeq = await expectRunsOnNewJournal(sync, head);
  expect(gapSeq).toBe(head + 1);
});

it('index records damaged so that quick_check passes and the first append fails: quarantined at that append, and the daemon runs', async () => {
  const sync = await scenario();
  const head = await syncedRoomStopped(sync, 20);
  damageIndexRecords(join(sync.room.dataDir, JOURNAL_FILE), 'sqlite_autoindex_events_1');

  const verify = await runCli(['journal', 'verify', '--config', sync.room.configPath]);
  expect(verify.code).toBe(65);
  expect(verify.stdout).toContain('index sqlite_autoindex_events_1 (table events)');
  const gapSeq = await expectRunsOnNewJournal(sync, head);
  expect(gapSeq).toBe(head + 1);
  expect(sync.room.output()).toMatch(/database disk image is malformed/);
});

it('damage found by a write while the daemon runs: the daemon quarantines the file and goes on on a new journal', async () => {
  const sync = await scenario();
  const { room } = sync;
  await sync.startCenter();
  await room.start();
  await room.addMembers();
  await room.signIns(20);
  const head = await sync.waitSynced();
  // Every page into the main file, so that the damage below is what the daemon reads next.
  const file = join(room.dataDir, JOURNAL_FILE);
  const db = new Database(file);
  try {
    // A checkpoint that met the daemon's read (an ack being stored) is simply tried again.
    await until(
      () => (db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>)[0]!.busy === 0,
      15_000,
      () => 'a complete checkpoint',
    );
  } finally {
    db.close();
  }
  damageIndexRecords(file, 'sqlite_autoindex_events_1');

  await expect(room.signIn()).rejects.toThrow(/malformed/);
  await until(
    async () => {
      try {
        return (await room.status()).journal.quarantined !== null;
      } catch {
        return false;
      }
    },
    45_000,
    () => `the running daemon to quarantine its journal; room log:\n${room.output().slice(-3000)}`,
  );
  const gap = room.readJournal(({ entries }) => entries(head, 1)[0]!);
  expect(gap.type).toBe(JOURNAL_GAP_EVENT);
  const signedIn = await room.signIns(3);
  await until(
    () => {
      const stored = new Set(sync.center!.storedSeqs(room.deviceId));
      return stored.has(gap.seq) && signedIn.every(({ seq }) => stored.has(seq));
    },
    45_000,
    () => 'the center to hold the gap and the sign-ins after it',
  );
  await sync.waitSynced();
});

it('a deleted journal_meta row: verify names the damage, the daemon quarantines the file and runs', async () => {
  const sync = await scenario();
  const head = await syncedRoomStopped(sync, 10);
  execFileSync('sqlite3', [join(sync.room.dataDir, JOURNAL_FILE), 'DELETE FROM journal_meta;']);

  const verify = await runCli(['journal', 'verify', '--config', sync.room.configPath]);
  expect(verify.code).toBe(65);
  expect(verify.stdout).toMatch(/journal_meta row \(the recorded head\) is missing/);
  await expectRunsOnNewJournal(sync, head);
});

it('a damaged events page: the entries readable after it are carried above the gap and reach the center', async () => {
  const sync = await scenario();
  const { room } = sync;
  await sync.backlogWhileOffline(300);
  await room.stop();
  const file = join(room.dataDir, JOURNAL_FILE);
  const before = room.readJournal(({ entries }) => entries(0, 100_000));
  damageLeaf(file, 'events');
  await sync.brokerBack();

  await room.start();
  const status = await room.status();
  expect(status.journal.quarantined).not.toBeNull();
  const entries = room.readJournal(({ entries }) => entries(0, 100_000));
  const gapAt = entries.findIndex((entry) => entry.type === JOURNAL_GAP_EVENT);
  const gap = entries[gapAt]!;
  const payload = journalGapPayloadSchema.parse(gap.payload);
  expect(payload.lost).toEqual({ fromSeq: payload.continuesFrom.seq + 1, toSeq: before.at(-1)!.seq });
  expect(payload.carried?.count).toBeGreaterThan(0);
  // The carried copies are the originals' records: same ids, payloads and times.
  const carried = entries.slice(gapAt + 1, gapAt + 1 + payload.carried!.count);
  const originals = new Map(before.map((entry) => [entry.id, entry]));
  for (const copy of carried) {
    const original = originals.get(copy.id);
    expect(original).toBeDefined();
    expect({ type: copy.type, payload: copy.payload, wallMs: copy.wallMs }).toEqual({
      type: original!.type,
      payload: original!.payload,
      wallMs: original!.wallMs,
    });
  }
  const center = sync.center!;
  await until(
    () => {
      const stored = new Set(center.storedSeqs(room.deviceId));
      return [gap, ...carried].every((entry) => stored.has(entry.seq));
    },
    45_000,
    () => 'the center to hold the gap and the carried entries',
  );
  expect(centerEntry(sync, carried[0]!.seq)?.type).toBe(carried[0]!.type);
  // Verified there: the center's prefix runs through the carried entries to the new head.
  await sync.waitSynced();
  expect(center.room(room.deviceId)?.damaged?.seq).toBe(gap.seq);
});

it('a journal file overwritten with garbage (no database at all): quarantined, and the daemon records again above what the center holds', async () => {
  const sync = await scenario();
  const { room } = sync;
  const head = await syncedRoomStopped(sync, 10);
  writeFileSync(join(room.dataDir, JOURNAL_FILE), Buffer.alloc(8192, 0x5a));

  const verify = await runCli(['journal', 'verify', '--config', room.configPath]);
  expect(verify.code).toBe(65);
  expect(verify.stdout).toMatch(/journal file DAMAGED \(SQLite\): .*file is not a database/);
  await room.start();
  expect((await room.status()).journal.quarantined?.reason).toMatch(/file is not a database/);
  // Nothing of the old file is readable: the room learns from the center's acknowledgements how
  // far its seqs went, and its sign-ins land above them, never on a seq the center holds.
  // The roster went with the file: members are added again, as the center's roster commands would.
  await room.addMembers();
  const signedIn = await room.signIns(3);
  await sync.waitSynced();
  const latest = (await room.status()).journal.head.seq;
  expect(latest).toBeGreaterThan(head);
  expect(signedIn.length).toBe(3);
});
