import Database from 'better-sqlite3';
import { cpSync, rmSync } from 'node:fs';
import { expect, it } from 'vitest';
import { JOURNAL_GAP_EVENT } from '../../src/journal/gap.js';
import type { JournalEntry } from '../../src/journal/types.js';
import type { SyncRoom } from '../helpers/syncRoom.js';
import { SYNC_TIMEOUT_MS, until, useSyncScenario, type SyncScenario } from '../helpers/syncScenario.js';

const scenario = useSyncScenario();

/** Copies the stopped room's data folder, as an SD card image would hold it (the control socket is no file to copy). */
function copyData(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (path) => !path.endsWith('.sock') });
}

/** Every entry of the room's journal, read from its file. */
function journalEntries(room: SyncRoom): JournalEntry[] {
  return room.readJournal(({ entries }) => {
    const all: JournalEntry[] = [];
    for (let batch = entries(0, 1000); batch.length > 0; batch = entries(batch.at(-1)!.seq, 1000)) all.push(...batch);
    return all;
  });
}

interface CenterRow {
  seq: number;
  id: string;
  type: string;
  hash: string;
  copy_of: number | null;
}

/** What the center stored for the room, read from its SQLite file. */
function centerRows(sync: SyncScenario): CenterRow[] {
  const db = new Database(sync.centerDbFile, { readonly: true });
  try {
    return db
      .prepare('SELECT seq, id, type, hash, copy_of FROM events WHERE device_id = ? ORDER BY seq')
      .all(sync.deviceId) as CenterRow[];
  } finally {
    db.close();
  }
}

/**
 * The day before the restore: `before` sign-ins synced and the data folder copied while the
 * daemon was stopped, then `after` more sign-ins synced, so the center acknowledged more than the
 * copy holds. Returns the copy's folder and the seq the center acknowledged last.
 */
async function syncedAndCopied(
  sync: SyncScenario,
  before: number,
  after: number,
): Promise<{ copy: string; acked: number }> {
  const { room } = sync;
  await sync.startCenter();
  await room.start();
  await room.addMembers();
  await room.signIns(before);
  await sync.waitSynced();
  await room.stop();
  const copy = `${room.dataDir}-copy`;
  copyData(room.dataDir, copy);
  await room.start();
  await room.signIns(after);
  const acked = await sync.waitSynced();
  await room.stop();
  return { copy, acked };
}

function restore(room: SyncRoom, copy: string): void {
  rmSync(room.dataDir, { recursive: true, force: true });
  copyData(copy, room.dataDir);
}

/**
 * The center's copy and the room's journal agree on every seq both hold, and every seq the
 * center holds that the room does not lies in a gap the room declared: no seq means two things.
 */
function expectOneMeaningPerSeq(sync: SyncScenario, journal: JournalEntry[]): void {
  const local = new Map(journal.map((entry) => [entry.seq, entry]));
  const declared = journal
    .filter((entry) => entry.type === JOURNAL_GAP_EVENT)
    .map((entry) => (entry.payload as { lost: { fromSeq: number; toSeq: number } | null }).lost)
    .filter((lost) => lost !== null);
  const rows = centerRows(sync);
  const differing = rows.filter((row) => {
    const entry = local.get(row.seq);
    if (entry !== undefined) return entry.id !== row.id || entry.hash !== row.hash;
    return !declared.some((lost) => lost.fromSeq <= row.seq && row.seq <= lost.toSeq);
  });
  expect(differing).toEqual([]);
  expect(rows.map((row) => row.seq)).toEqual(expect.arrayContaining(journal.map((entry) => entry.seq)));
}

it('a room restored from an older copy continues above every seq the center acknowledged, drains its backlog, and the center shows the gap', async () => {
  const sync = await scenario();
  const { room } = sync;
  const { copy, acked } = await syncedAndCopied(sync, 10, 10);

  restore(room, copy);
  const restored = room.readJournal(({ cursor, entries }) => ({ cursor, head: entries(0, 10_000).at(-1)!.seq }));
  expect(restored.head).toBeLessThan(acked);
  await room.start();
  // The center's first ack shows it ahead: the journal continues above it before anything new is written.
  await until(
    async () => (await room.head()) > acked,
    SYNC_TIMEOUT_MS,
    () => `the room's journal to continue above seq ${acked}; room log:\n${room.output().slice(-4000)}`,
  );
  const signedIn = await room.signIns(5);
  expect(signedIn.every(({ seq }) => seq > acked + 1)).toBe(true);
  const head = await sync.waitSynced();

  const center = sync.center!;
  const gaps = center.knownGaps(room.deviceId);
  expect(gaps).toHaveLength(1);
  expect(gaps[0]).toMatchObject({ reason: 'rollback', continuesFrom: restored.cursor });
  expect(gaps[0]!.seq).toBeGreaterThan(acked);
  expect(gaps[0]!.lost).toEqual({ fromSeq: restored.cursor + 1, toSeq: gaps[0]!.seq - 1 });
  expect(center.room(room.deviceId)).toMatchObject({ broken: null, contiguousSeq: head, gaps: [gaps[0]] });
  expectOneMeaningPerSeq(sync, journalEntries(room));
  expect(room.output()).toContain('the journal was behind or beside the center');
  // 25 sign-ins in all, the 10 the room lost included (the center had them): each counted once.
  expect(center.signInsBetween(0, Number.MAX_SAFE_INTEGER).get(room.deviceId)).toEqual({ real: 25, emulated: 0 });
});

it('sign-ins made on the restored copy before it reached the center all reach it, each counted once', async () => {
  const sync = await scenario();
  const { room } = sync;
  const { copy, acked } = await syncedAndCopied(sync, 10, 10);

  restore(room, copy);
  await sync.broker.pause();
  await room.start();
  // More than the center acknowledged beyond the copy: the branch runs past the seqs the center holds.
  const offline = await room.signIns(14);
  expect(offline.some(({ seq }) => seq <= acked)).toBe(true);
  const branch = journalEntries(room).filter((entry) => offline.some(({ seq }) => seq === entry.seq));
  expect(branch).toHaveLength(14);

  await sync.brokerBack();
  const head = await sync.waitSynced();
  const journal = journalEntries(room);
  const center = sync.center!;

  // Every offline sign-in reaches the center, by id and payload, and counts once.
  const rows = centerRows(sync);
  for (const entry of branch) {
    const counted = rows.filter((row) => row.id === entry.id && row.copy_of === null);
    expect(counted, `sign-in ${entry.id}`).toHaveLength(1);
    const carried = journal.find((local) => local.id === entry.id);
    expect(carried, `sign-in ${entry.id} in the room's journal`).toMatchObject({
      type: entry.type,
      payload: entry.payload,
      wallMs: entry.wallMs,
    });
    expect(carried!.seq).toBeGreaterThan(acked);
  }
  expect(center.signInsBetween(0, Number.MAX_SAFE_INTEGER).get(room.deviceId)).toEqual({ real: 34, emulated: 0 });
  expectOneMeaningPerSeq(sync, journal);
  expect(center.room(room.deviceId)).toMatchObject({ broken: null, contiguousSeq: head });
  expect(center.knownGaps(room.deviceId)).toEqual([
    expect.objectContaining({ reason: 'rollback', carried: expect.any(Number) as number }),
  ]);
  expect(center.knownGaps(room.deviceId)[0]!.carried).toBeGreaterThanOrEqual(14);
});
