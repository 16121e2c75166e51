import { fileProblem } from '../util/fileProblem.js';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { openDatabase, type Db } from '../store/database.js';
import type { Migration } from '../store/migrations.js';

/**
 * The reference center's own SQLite file: what every room sent, verified, and what the center
 * sent back. It is opened with the agent's openDatabase (WAL, synchronous=FULL): an ack tells a
 * room that its events are on the center's disk, so a commit must survive a power cut.
 */
const CENTER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'rooms, their events, commands and files',
    sql: `
      -- One row per room that ever sent anything. contiguous_seq/hash: the verified prefix the
      -- center acknowledges, starting at base_seq; broken_*: the first seq that failed verification.
      CREATE TABLE rooms (
        device_id TEXT PRIMARY KEY,
        first_seen_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        state TEXT,
        reason TEXT,
        version TEXT,
        boot_id TEXT,
        keys TEXT NOT NULL DEFAULT '[]',
        base_seq INTEGER,
        contiguous_seq INTEGER NOT NULL DEFAULT 0,
        contiguous_hash TEXT,
        head_seq INTEGER,
        broken_seq INTEGER,
        broken_reason TEXT,
        duplicates INTEGER NOT NULL DEFAULT 0,
        bad_messages INTEGER NOT NULL DEFAULT 0,
        health TEXT,
        last_ack_seq INTEGER,
        last_ack_ms INTEGER
      ) STRICT;

      -- Every entry as the room signed it. The primary key makes a repeated batch harmless.
      CREATE TABLE events (
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        wall_ms INTEGER NOT NULL,
        boot_id TEXT NOT NULL,
        mono_ms INTEGER NOT NULL,
        clock TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        PRIMARY KEY (device_id, seq)
      ) STRICT;
      -- The live view counts today's sign-ins every two seconds.
      CREATE INDEX events_signins ON events (wall_ms, device_id) WHERE type IN ('signin.accepted', 'signin.manual');

      -- Commands the center sent, with the reply each got. Ids grow per room.
      CREATE TABLE commands (
        device_id TEXT NOT NULL,
        id INTEGER NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        sent_ms INTEGER NOT NULL,
        reply TEXT,
        replied_ms INTEGER,
        PRIMARY KEY (device_id, id)
      ) STRICT;

      -- Files a room uploaded completely (size and checksum verified by the receiver).
      CREATE TABLE files (
        device_id TEXT NOT NULL,
        file_id TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        path TEXT NOT NULL,
        meta TEXT NOT NULL,
        completed_ms INTEGER NOT NULL,
        PRIMARY KEY (device_id, file_id)
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'events by room and type, for the county board',
    sql: `
      -- The board looks up a room's latest member record, clock sync and activity by type.
      CREATE INDEX events_by_type ON events (device_id, type, seq);
    `,
  },
  {
    version: 3,
    description: 'journal gaps: carried copies of entries, known gaps, the ack version a room reads',
    sql: `
      -- A room that continued above a gap re-appends some entries under new seqs with their
      -- original ids. Such a carried copy of an entry the center already holds is stored (the
      -- chain needs it) with copy_of, the seq of the original, and never counted: the id stays
      -- unique among the entries that count, no longer among all rows.
      CREATE TABLE events_v3 (
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        wall_ms INTEGER NOT NULL,
        boot_id TEXT NOT NULL,
        mono_ms INTEGER NOT NULL,
        clock TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        copy_of INTEGER,
        PRIMARY KEY (device_id, seq)
      ) STRICT;
      INSERT INTO events_v3
        (device_id, seq, id, type, payload, wall_ms, boot_id, mono_ms, clock, prev_hash, hash, key_id, signature, received_ms)
        SELECT device_id, seq, id, type, payload, wall_ms, boot_id, mono_ms, clock, prev_hash, hash, key_id, signature, received_ms
        FROM events;
      DROP TABLE events;
      ALTER TABLE events_v3 RENAME TO events;
      CREATE UNIQUE INDEX events_id ON events (id) WHERE copy_of IS NULL;
      CREATE INDEX events_signins ON events (wall_ms, device_id)
        WHERE type IN ('signin.accepted', 'signin.manual') AND copy_of IS NULL;
      CREATE INDEX events_by_type ON events (device_id, type, seq);

      -- Gaps a room declared (a journal.gap entry the center verified): the seqs it skipped, why,
      -- and how many entries it re-appended. Entries the center holds in the skipped range stay.
      CREATE TABLE known_gaps (
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        reason TEXT NOT NULL,
        detail TEXT NOT NULL,
        continues_from INTEGER NOT NULL,
        lost_from INTEGER,
        lost_to INTEGER,
        held_lost INTEGER NOT NULL,
        carried INTEGER NOT NULL,
        quarantined_file TEXT,
        wall_ms INTEGER NOT NULL,
        recorded_ms INTEGER NOT NULL,
        PRIMARY KEY (device_id, seq)
      ) STRICT;

      -- 1 for rooms of releases that read only version 1 of in/ack (their state message says nothing).
      ALTER TABLE rooms ADD COLUMN ack_version INTEGER NOT NULL DEFAULT 1;
    `,
  },
];

const t = defineMessages({
  unusable: { zh: '无法打开中心数据库 {file}：{reason}', en: 'cannot open the center database {file}: {reason}' },
});

/** Opens (creating on first use) the center's database. */
export function openCenterDatabase(file: string): Db {
  try {
    return openDatabase(file, { access: 'create', migrations: CENTER_MIGRATIONS });
  } catch (error) {
    // openDatabase words its errors for the room's journal; the cause says what the technician can fix.
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    throw new AgentError(
      ErrorCode.CenterDatabase,
      t('unusable', { file, reason: fileProblem(cause, 'create') }),
      { file },
      { cause: error },
    );
  }
}
