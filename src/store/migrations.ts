/**
 * The schema of `<dataDir>/journal.sqlite`, one ordered migration per `PRAGMA user_version`.
 * A migration is never edited once released: a change is a new migration at the end.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** prevHash of the first entry ever written, where migration 1 starts the journal's head. */
export const GENESIS_HASH = '0'.repeat(64);

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'journal, keys, sync cursor, clock corrections, members, activities',
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        wall_ms INTEGER NOT NULL,
        boot_id TEXT NOT NULL,
        mono_ms INTEGER NOT NULL,
        clock TEXT NOT NULL CHECK (clock IN ('synced', 'unsynced')),
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL
      ) STRICT;

      -- Events are signed: an update can only break them. Deletes stay possible for pruning.
      CREATE TRIGGER events_append_only BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;

      -- The head lives outside the events so that deleting the newest rows is detectable and a
      -- seq is never handed out twice.
      CREATE TABLE journal_meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        head_seq INTEGER NOT NULL,
        head_hash TEXT NOT NULL,
        verified_seq INTEGER NOT NULL,
        verified_hash TEXT NOT NULL
      ) STRICT;
      INSERT INTO journal_meta (id, head_seq, head_hash, verified_seq, verified_hash)
      VALUES (1, 0, '${GENESIS_HASH}', 0, '${GENESIS_HASH}');

      CREATE TABLE checkpoints (
        seq INTEGER PRIMARY KEY,
        hash TEXT NOT NULL,
        wall_ms INTEGER NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL
      ) STRICT;

      CREATE TABLE sync_anchor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        center_time_ms INTEGER,
        recorded_mono_ms INTEGER NOT NULL,
        recorded_boot_id TEXT NOT NULL
      ) STRICT;

      CREATE TABLE device_keys (
        key_id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        first_seq INTEGER NOT NULL UNIQUE,
        previous_key_id TEXT REFERENCES device_keys (key_id),
        endorsement TEXT
      ) STRICT;

      CREATE TABLE clock_corrections (
        boot_id TEXT PRIMARY KEY,
        sync_wall_ms INTEGER NOT NULL,
        sync_mono_ms INTEGER NOT NULL,
        source TEXT NOT NULL,
        seq INTEGER NOT NULL
      ) STRICT;

      -- The roster, kept in step with the center by its members.upsert and members.remove commands.
      CREATE TABLE members (
        member_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        updated_seq INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE activities (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('center', 'plan', 'cli')),
        plan_id TEXT,
        plan_json TEXT NOT NULL,
        started_seq INTEGER NOT NULL,
        started_wall_ms INTEGER NOT NULL,
        started_mono_ms INTEGER NOT NULL,
        started_boot_id TEXT NOT NULL,
        ended_seq INTEGER,
        ended_wall_ms INTEGER,
        end_reason TEXT
      ) STRICT;
      -- At most one activity runs at a time: every open row has the same index key.
      CREATE UNIQUE INDEX activities_one_open ON activities ((1)) WHERE ended_seq IS NULL;

      CREATE TABLE activity_plans (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        starts_at_ms INTEGER NOT NULL,
        duration_min INTEGER NOT NULL,
        plan_json TEXT NOT NULL,
        source TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('scheduled', 'started', 'cancelled', 'missed')),
        received_seq INTEGER NOT NULL,
        activity_id TEXT
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'fingerprint sign-in: fingers, template backups and escrow, module binding, repeat window',
    sql: `
      -- A branch secretary may confirm a manual sign-in with their own finger.
      ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'secretary'));

      -- One row per enrolled finger: the module slot it lives in and whose it is.
      CREATE TABLE fingers (
        slot INTEGER PRIMARY KEY,
        member_id TEXT NOT NULL REFERENCES members (member_id),
        finger TEXT NOT NULL,
        module_family TEXT NOT NULL,
        template_size INTEGER NOT NULL,
        enrolled_seq INTEGER NOT NULL,
        UNIQUE (member_id, finger)
      ) STRICT;

      -- AES-256-GCM backups of the module's templates; the key lives outside the database.
      CREATE TABLE template_backups (
        slot INTEGER PRIMARY KEY REFERENCES fingers (slot) ON DELETE CASCADE,
        key_id TEXT NOT NULL,
        nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        tag BLOB NOT NULL
      ) STRICT;

      -- Templates encrypted to the county's key, waiting to be sent (only when escrow is enabled).
      -- A table rather than journal events so that removing a member deletes them here too.
      CREATE TABLE template_escrow (
        slot INTEGER PRIMARY KEY REFERENCES fingers (slot) ON DELETE CASCADE,
        member_id TEXT NOT NULL,
        module_family TEXT NOT NULL,
        template_size INTEGER NOT NULL,
        envelope TEXT NOT NULL,
        created_seq INTEGER NOT NULL,
        sent_seq INTEGER
      ) STRICT;

      -- The module this device trusts: R30x notepad token or GT serial number.
      CREATE TABLE module_binding (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        family TEXT NOT NULL,
        token TEXT NOT NULL,
        bound_seq INTEGER NOT NULL
      ) STRICT;

      -- Each member's latest sign-in, for the "already signed in" window across restarts.
      CREATE TABLE signin_last (
        member_id TEXT PRIMARY KEY REFERENCES members (member_id),
        seq INTEGER NOT NULL,
        activity_id TEXT,
        boot_id TEXT NOT NULL,
        mono_ms INTEGER NOT NULL,
        wall_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    description: 'module slots of removed members, waiting to be deleted on the module',
    sql: `
      -- A member removed while the scanner was away still has a template on the module; its
      -- fingers row is gone (so the slot matches nobody), and the slot is deleted on reconnect.
      CREATE TABLE pending_slot_deletions (
        slot INTEGER PRIMARY KEY,
        member_id TEXT NOT NULL,
        queued_seq INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    description: 'file upload outbox and the log of commands from the center',
    sql: `
      -- A file waiting to go to the center (a meeting photo or recording). acked_offset is what
      -- the center confirmed it holds contiguously: an upload cut mid-way resumes there.
      -- attempts counts the times the center refused the file and it started over (bounded).
      CREATE TABLE file_uploads (
        file_id TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        meta TEXT NOT NULL,
        acked_offset INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state IN ('pending', 'complete', 'failed')),
        error TEXT,
        queued_seq INTEGER NOT NULL,
        done_seq INTEGER
      ) STRICT;
      CREATE INDEX file_uploads_pending ON file_uploads (state, queued_seq);

      -- Every command from the center that got past the signature and id checks, with the reply
      -- it got: a repeated id is answered from here without acting twice. reply is NULL while a
      -- command that acts outside the journal (enrollment, a restart…) runs; seq is its
      -- center.command journal entry; signature says whether the center's key checked it.
      CREATE TABLE center_commands (
        id INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        body_sha256 TEXT NOT NULL,
        signature TEXT NOT NULL CHECK (signature IN ('verified', 'unchecked')),
        reply TEXT,
        seq INTEGER
      ) STRICT;
    `,
  },
  {
    version: 5,
    description: 'entries moved off the chain when the journal continued above a gap',
    sql: `
      -- Entries the journal held above the last seq the center confirmed when it turned out to
      -- be behind or beside the center (a card restored from an image, a lost WAL): each is kept
      -- here verbatim, signature and all, and re-appended above the journal.gap entry named by
      -- gap_seq with its id, content and time, at carried_seq (NULL: a chain entry not carried).
      CREATE TABLE journal_branches (
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
        gap_seq INTEGER NOT NULL,
        carried_seq INTEGER,
        PRIMARY KEY (gap_seq, seq)
      ) STRICT;
    `,
  },
  {
    version: 6,
    description: 'the outcome of the last full verification of the journal',
    sql: `
      -- One row, replaced by each full verification of the chain (run in the background), so that
      -- status after a restart still says when the whole chain was last checked and what was found.
      -- A whole chain has checked_to and entries, a broken one first_broken_seq and reason.
      CREATE TABLE full_verification (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        trigger TEXT NOT NULL,
        started_wall_ms INTEGER NOT NULL,
        finished_wall_ms INTEGER NOT NULL,
        checked_from INTEGER NOT NULL,
        checked_to INTEGER,
        entries INTEGER,
        first_broken_seq INTEGER,
        reason TEXT,
        CHECK (
          (checked_to IS NOT NULL AND entries IS NOT NULL AND first_broken_seq IS NULL AND reason IS NULL)
          OR (checked_to IS NULL AND entries IS NULL AND first_broken_seq IS NOT NULL AND reason IS NOT NULL)
        )
      ) STRICT;
    `,
  },
  {
    version: 7,
    description: 'meeting recording segments',
    sql: `
      -- One row per closed segment of a meeting recording, written with its recording.segment
      -- entry (indexed_seq) in one commit. path is relative to the data directory, so a data
      -- folder restored elsewhere still finds its files. idx numbers the segments of one
      -- activity's camera from 1, in recording order: the center asks for ranges of it.
      -- truncated marks a segment a crash left open and the next start cut to its last whole
      -- packet. file_id is its upload (file_uploads) once queued; pruned_seq the
      -- recording.pruned entry once the file was deleted to make room.
      CREATE TABLE recording_segments (
        path TEXT PRIMARY KEY,
        activity_id TEXT NOT NULL,
        camera TEXT NOT NULL,
        idx INTEGER NOT NULL,
        started_wall_ms INTEGER NOT NULL,
        ended_wall_ms INTEGER NOT NULL,
        clock TEXT NOT NULL CHECK (clock IN ('synced', 'unsynced')),
        duration_ms INTEGER NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        truncated INTEGER NOT NULL CHECK (truncated IN (0, 1)),
        indexed_seq INTEGER NOT NULL,
        file_id TEXT,
        pruned_seq INTEGER,
        UNIQUE (activity_id, camera, idx)
      ) STRICT;
      CREATE INDEX recording_segments_age ON recording_segments (pruned_seq, indexed_seq);
    `,
  },
];
