import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import type { Checkpoint, JournalHead, SyncAnchor } from './types.js';

const t = defineMessages({
  metaMissing: {
    zh: '日志文件 {file} 已损坏：journal_meta 中缺少记录日志头的那一行。守护进程下次启动时会把它隔离到数据目录的 quarantine/ 中，并在新日志上继续记录；请把 quarantine 目录交给县里',
    en: 'the journal {file} is damaged: its journal_meta row (the recorded head) is missing. The daemon sets such a file aside in quarantine/ in the data directory at its next start and records on in a new journal; hand the quarantine folder to the county',
  },
});

/**
 * Every journal has exactly one journal_meta row from its first migration on; none means the file
 * was damaged or edited, and nothing can be appended or verified without the recorded head.
 */
function metaRow<T>(db: Db, row: T | undefined): T {
  if (row !== undefined) return row;
  throw new AgentError(ErrorCode.JournalDamaged, t('metaMissing', { file: db.name }), {
    file: db.name,
    missing: 'journal_meta',
  });
}

/** journal_meta: the head written with every append, and how far verification has reached. */
export function readHead(db: Db): JournalHead {
  return metaRow(
    db,
    statement(db, 'SELECT head_seq AS seq, head_hash AS hash FROM journal_meta WHERE id = 1').get() as
      JournalHead | undefined,
  );
}

export function writeHead(db: Db, head: JournalHead): void {
  statement(db, 'UPDATE journal_meta SET head_seq = ?, head_hash = ? WHERE id = 1').run(head.seq, head.hash);
}

export function readVerified(db: Db): JournalHead {
  return metaRow(
    db,
    statement(db, 'SELECT verified_seq AS seq, verified_hash AS hash FROM journal_meta WHERE id = 1').get() as
      JournalHead | undefined,
  );
}

export function writeVerified(db: Db, verified: JournalHead): void {
  statement(db, 'UPDATE journal_meta SET verified_seq = ?, verified_hash = ? WHERE id = 1').run(
    verified.seq,
    verified.hash,
  );
}

interface AnchorRow {
  seq: number;
  hash: string;
  center_time_ms: number | null;
  recorded_mono_ms: number;
  recorded_boot_id: string;
}

export function readAnchor(db: Db): SyncAnchor | undefined {
  const row = statement(db, 'SELECT * FROM sync_anchor WHERE id = 1').get() as AnchorRow | undefined;
  if (row === undefined) return undefined;
  return {
    seq: row.seq,
    hash: row.hash,
    centerTimeMs: row.center_time_ms ?? undefined,
    recordedMonoMs: row.recorded_mono_ms,
    recordedBootId: row.recorded_boot_id,
  };
}

export function writeAnchor(db: Db, anchor: SyncAnchor): void {
  statement(
    db,
    `INSERT INTO sync_anchor (id, seq, hash, center_time_ms, recorded_mono_ms, recorded_boot_id) VALUES (1, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, center_time_ms = excluded.center_time_ms,
       recorded_mono_ms = excluded.recorded_mono_ms, recorded_boot_id = excluded.recorded_boot_id`,
  ).run(anchor.seq, anchor.hash, anchor.centerTimeMs ?? null, anchor.recordedMonoMs, anchor.recordedBootId);
}

interface CheckpointRow {
  seq: number;
  hash: string;
  wall_ms: number;
  key_id: string;
  signature: string;
}

/** The checkpoint the chain starts from; each prune replaces the previous one. */
export function readCheckpoint(db: Db): Checkpoint | undefined {
  const row = statement(db, 'SELECT * FROM checkpoints ORDER BY seq DESC LIMIT 1').get() as CheckpointRow | undefined;
  return row === undefined
    ? undefined
    : { seq: row.seq, hash: row.hash, wallMs: row.wall_ms, keyId: row.key_id, signature: row.signature };
}

export function replaceCheckpoint(db: Db, checkpoint: Checkpoint): void {
  statement(db, 'DELETE FROM checkpoints').run();
  statement(db, 'INSERT INTO checkpoints (seq, hash, wall_ms, key_id, signature) VALUES (?, ?, ?, ?, ?)').run(
    checkpoint.seq,
    checkpoint.hash,
    checkpoint.wallMs,
    checkpoint.keyId,
    checkpoint.signature,
  );
}

/** Brings the sync cursor and the verified mark down to `to` where they point above it. */
export function lowerMarks(db: Db, to: JournalHead): void {
  statement(db, 'UPDATE sync_anchor SET seq = ?, hash = ? WHERE seq > ?').run(to.seq, to.hash, to.seq);
  statement(db, 'UPDATE journal_meta SET verified_seq = ?, verified_hash = ? WHERE verified_seq > ?').run(
    to.seq,
    to.hash,
    to.seq,
  );
}
