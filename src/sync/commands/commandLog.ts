import type { JournalTransaction } from '../../journal/types.js';
import type { Db } from '../../store/database.js';
import { statement } from '../../store/statements.js';
import type { CommandReply } from '../protocol/messages.js';

/** The journal event that records each command the device carried out, and how it ended. */
export const CENTER_COMMAND_EVENT = 'center.command';

/** A command that passed every check, as center_commands holds it. */
export interface CommandIdentity {
  id: number;
  type: string;
  /** SHA-256 of the canonical envelope without its signature: what "the same command" means. */
  bodySha256: string;
  /** The center's key verified its signature, or there was no key to check it with. */
  signature: 'verified' | 'unchecked';
}

export interface CommandRecord extends CommandIdentity {
  /** Undefined while the command runs (or when the agent stopped while it ran). */
  reply: CommandReply | undefined;
}

interface CommandRow {
  id: number;
  type: string;
  body_sha256: string;
  signature: CommandIdentity['signature'];
  reply: string | null;
}

const COLUMNS = 'id, type, body_sha256, signature, reply';

function toRecord(row: CommandRow): CommandRecord {
  return {
    id: row.id,
    type: row.type,
    bodySha256: row.body_sha256,
    signature: row.signature,
    reply: row.reply === null ? undefined : (JSON.parse(row.reply) as CommandReply),
  };
}

export function findCommand(db: Db, id: number): CommandRecord | undefined {
  const row = statement(db, `SELECT ${COLUMNS} FROM center_commands WHERE id = ?`).get(id) as CommandRow | undefined;
  return row === undefined ? undefined : toRecord(row);
}

/** Which recorded ids make up the replay watermark. */
export interface WatermarkRule {
  /** Only commands whose signature the center's key checked count (a room with a center key). */
  verifiedOnly: boolean;
  /** Ids above it do not count; undefined: no bound. */
  limit: number | undefined;
}

export interface CommandIdMarks {
  /** The highest id that counts under the rule; 0 when none does. */
  watermark: number;
  /** The highest id recorded at all, counted or not; 0 before the first command. */
  recorded: number;
}

/** The replay watermark (the highest id carried out or started that counts) and the highest id recorded. */
export function commandIdMarks(db: Db, rule: WatermarkRule): CommandIdMarks {
  return statement(
    db,
    `SELECT COALESCE(MAX(CASE WHEN id <= ? AND (? = 0 OR signature = 'verified') THEN id END), 0) AS watermark,
       COALESCE(MAX(id), 0) AS recorded
     FROM center_commands`,
  ).get(rule.limit ?? Number.MAX_SAFE_INTEGER, rule.verifiedOnly ? 1 : 0) as CommandIdMarks;
}

/** Commands recorded as running that never got a reply: the agent stopped while they ran. */
export function unfinishedCommands(db: Db): CommandRecord[] {
  return (
    statement(db, `SELECT ${COLUMNS} FROM center_commands WHERE reply IS NULL ORDER BY id`).all() as CommandRow[]
  ).map(toRecord);
}

/** Before a task's first effect: from here on a repeat is not run again. */
export function recordRunning(db: Db, command: CommandIdentity): void {
  statement(db, 'INSERT INTO center_commands (id, type, body_sha256, signature) VALUES (?, ?, ?, ?)').run(
    command.id,
    command.type,
    command.bodySha256,
    command.signature,
  );
}

/**
 * Stores the reply and journals `center.command` {id, type, status, signature, error?} in the
 * caller's transaction: with an atomic command's own writes, or after a task ended.
 */
export function recordOutcome(tx: JournalTransaction, command: CommandIdentity, reply: CommandReply): void {
  const { id, type, signature } = command;
  const entry = tx.append(CENTER_COMMAND_EVENT, {
    id,
    type,
    status: reply.status,
    signature,
    ...(reply.error !== undefined && { error: reply.error }),
  });
  statement(
    tx.db,
    `INSERT INTO center_commands (id, type, body_sha256, signature, reply, seq) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET reply = excluded.reply, seq = excluded.seq`,
  ).run(id, type, command.bodySha256, signature, JSON.stringify(reply), entry.seq);
}
