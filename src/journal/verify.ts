import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import { entryHash } from './canonical.js';
import { checkpointProblem } from './checkpoint.js';
import { eventRowAt, eventRows, rowToEntry, type EventRow } from './entries.js';
import { gapLinkProblem, JOURNAL_GAP_EVENT, readGap } from './gap.js';
import { KEY_ROTATED_EVENT, KeyChain, keyRotationPayloadSchema } from './keyChain.js';
import { verifyDigest } from './keyCrypto.js';
import { readAnchor, readCheckpoint, readHead, readVerified } from './meta.js';
import { GENESIS_HASH, type Checkpoint, type JournalEntry, type JournalHead, type VerifyResult } from './types.js';

/**
 * 'full' walks from the checkpoint (or the first entry ever); 'incremental' from the last seq a
 * previous verification accepted. Both then check the recorded head and the center's anchor.
 */
export type VerifyMode = 'full' | 'incremental';

/** Thrown inside the walk to stop at the first problem; never leaves this module. */
class Broken extends Error {
  constructor(
    readonly seq: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Checks the chain: every hash recomputed, every prevHash linked, every signature by the key in
 * force at that seq, no seq missing but those a signed journal.gap entry declares (gap.ts), the recorded head present, and the entry the center anchored
 * unchanged, so that deleting the newest rows is caught even when journal_meta was edited too.
 * Runs in one read transaction: a snapshot, while the daemon may keep appending.
 */
export function verifyJournal(db: Db, mode: VerifyMode): VerifyResult {
  return db.transaction(() => {
    const checkpoint = readCheckpoint(db);
    const keys = KeyChain.load(db);
    let start: JournalHead | undefined;
    try {
      start = startingPoint(db, mode, checkpoint, keys);
      const last = walk(db, start, checkpoint, keys);
      checkHead(db, last.head);
      checkAnchor(db, checkpoint, last.head);
      return { ok: true as const, checkedFrom: start.seq + 1, checkedTo: last.head.seq, entries: last.entries };
    } catch (error) {
      if (!(error instanceof Broken)) throw error;
      return {
        ok: false as const,
        firstBrokenSeq: error.seq,
        reason: error.reason,
        checkedFrom: (start?.seq ?? checkpoint?.seq ?? 0) + 1,
      };
    }
  })();
}

/**
 * Where the walk begins. An incremental walk trusts everything up to the last verified entry only
 * while that entry is still the one verified; when it is missing or changed, the break may lie
 * anywhere before it, so the walk starts from the beginning to name the first broken seq.
 */
function startingPoint(db: Db, mode: VerifyMode, checkpoint: Checkpoint | undefined, keys: KeyChain): JournalHead {
  let start: JournalHead = { seq: 0, hash: GENESIS_HASH };
  if (checkpoint !== undefined) {
    const problem = checkpointProblem(checkpoint, keys);
    if (problem !== undefined) throw new Broken(checkpoint.seq, problem);
    start = checkpoint;
  }
  const verified = readVerified(db);
  if (mode === 'full' || verified.seq <= start.seq) return start;
  return eventRowAt(db, verified.seq)?.hash === verified.hash ? verified : start;
}

function walk(
  db: Db,
  start: JournalHead,
  checkpoint: Checkpoint | undefined,
  keys: KeyChain,
): { head: JournalHead; entries: number } {
  let previous = start;
  let entries = 0;
  for (const row of eventRows(db, start.seq)) {
    const expected = previous.seq + 1;
    // Only a gap entry may skip seqs; checkGap then holds the skip to exactly what it declares.
    if (row.seq !== expected && row.type !== JOURNAL_GAP_EVENT)
      throw new Broken(expected, missingReason(expected, row.seq, checkpoint));
    checkEntry(db, row, previous, keys);
    previous = { seq: row.seq, hash: row.hash };
    entries++;
  }
  return { head: previous, entries };
}

function missingReason(expected: number, found: number, checkpoint: Checkpoint | undefined): string {
  const which =
    found - expected === 1 ? `entry ${expected} is missing` : `entries ${expected}…${found - 1} are missing`;
  const unrecorded = expected === 1 && checkpoint === undefined ? ', and no signed checkpoint records a prune' : '';
  return `${which} (the next entry present is seq ${found})${unrecorded}`;
}

function checkEntry(db: Db, row: EventRow, previous: JournalHead, keys: KeyChain): void {
  const seq = row.seq;
  let entry: JournalEntry;
  let recomputed: string;
  try {
    entry = rowToEntry(row);
    recomputed = entryHash(entry);
  } catch {
    throw new Broken(seq, `entry ${seq} was changed: its payload is no longer valid JSON`);
  }
  if (recomputed !== row.hash) {
    const writtenAs = originalSeq(db, entry);
    throw new Broken(
      seq,
      writtenAs === undefined
        ? `entry ${seq} was changed: its content no longer matches its hash`
        : `entry ${seq} is out of order: it holds the entry written as seq ${writtenAs}`,
    );
  }
  if (row.prev_hash !== previous.hash) {
    const before = previous.seq === 0 ? 'the start of the journal' : `entry ${previous.seq}`;
    throw new Broken(
      seq,
      `entry ${seq} does not follow ${before}: its prevHash does not match (an entry was replaced)`,
    );
  }
  checkSignature(row, keys);
  if (row.type === KEY_ROTATED_EVENT) checkRotation(entry, keys);
  if (row.type === JOURNAL_GAP_EVENT) checkGap(entry, previous);
}

function checkGap(entry: JournalEntry, previous: JournalHead): void {
  const gap = readGap(entry);
  const problem = typeof gap === 'string' ? gap : gapLinkProblem(entry, gap, previous);
  if (problem !== undefined) throw new Broken(entry.seq, problem);
}

/** For an entry whose hash fails: the seq it was written as, found through its successor's prevHash. */
function originalSeq(db: Db, entry: JournalEntry): number | undefined {
  const successors = statement(db, 'SELECT seq FROM events WHERE prev_hash = ?').all(entry.hash) as Array<{
    seq: number;
  }>;
  const head = readHead(db);
  const candidates = successors.map((successor) => successor.seq - 1);
  if (head.hash === entry.hash) candidates.push(head.seq);
  return candidates.find((seq) => seq !== entry.seq && entryHash({ ...entry, seq }) === entry.hash);
}

function checkSignature(row: EventRow, keys: KeyChain): void {
  const seq = row.seq;
  const inForce = keys.keyInForce(seq);
  if (inForce === undefined || row.key_id !== inForce.keyId) {
    const refused = keys.refused.get(row.key_id);
    if (refused !== undefined) throw new Broken(seq, `entry ${seq} is signed by a key that is not trusted: ${refused}`);
    if (keys.trustedKey(row.key_id) !== undefined) {
      throw new Broken(
        seq,
        `entry ${seq} is signed by key ${row.key_id}, but key ${inForce?.keyId ?? '(none)'} is in force at that seq`,
      );
    }
    throw new Broken(seq, `entry ${seq} is signed by key ${row.key_id}, which is not a device key`);
  }
  if (!verifyDigest(inForce.publicKey, row.hash, row.signature)) {
    throw new Broken(
      seq,
      `entry ${seq} has a bad signature (key ${inForce.keyId}): it was rewritten without the device key`,
    );
  }
}

/** A rotation entry must introduce exactly the endorsed key that signs from the next seq on. */
function checkRotation(entry: JournalEntry, keys: KeyChain): void {
  const parsed = keyRotationPayloadSchema.safeParse(entry.payload);
  const introduced = parsed.success ? keys.trustedKey(parsed.data.keyId) : undefined;
  if (
    !parsed.success ||
    introduced === undefined ||
    introduced.firstSeq !== entry.seq + 1 ||
    introduced.publicKey !== parsed.data.publicKey ||
    introduced.previousKeyId !== entry.keyId
  ) {
    throw new Broken(
      entry.seq,
      `entry ${entry.seq} rotates the device key, but device_keys holds no matching endorsed key from seq ${entry.seq + 1}`,
    );
  }
}

function checkHead(db: Db, last: JournalHead): void {
  const recorded = readHead(db);
  if (recorded.seq > last.seq) {
    throw new Broken(
      last.seq + 1,
      `entries after seq ${last.seq} are missing: the journal head is seq ${recorded.seq}`,
    );
  }
  if (recorded.seq < last.seq) {
    throw new Broken(
      recorded.seq + 1,
      `entries after seq ${recorded.seq} were added behind the journal's back (the journal head is seq ${recorded.seq})`,
    );
  }
  if (recorded.hash !== last.hash)
    throw new Broken(last.seq, `entry ${last.seq} is not the journal head that was recorded`);
}

function checkAnchor(db: Db, checkpoint: Checkpoint | undefined, last: JournalHead): void {
  const anchor = readAnchor(db);
  if (anchor === undefined) return;
  if (anchor.seq > last.seq) {
    throw new Broken(
      last.seq + 1,
      `entries after seq ${last.seq} are missing: the center acknowledged up to seq ${anchor.seq}`,
    );
  }
  const prunedThrough = checkpoint?.seq ?? 0;
  // An anchored entry that was pruned is covered by the signed checkpoint instead.
  if (anchor.seq < prunedThrough) return;
  const local = anchor.seq === prunedThrough ? checkpoint?.hash : eventRowAt(db, anchor.seq)?.hash;
  if (local === undefined)
    throw new Broken(anchor.seq, `entry ${anchor.seq}, which the center acknowledged, is missing`);
  if (local !== anchor.hash) {
    throw new Broken(
      anchor.seq,
      `entry ${anchor.seq} is not the entry the center acknowledged (hash ${anchor.hash.slice(0, 12)}…, found ${local.slice(0, 12)}…)`,
    );
  }
}
