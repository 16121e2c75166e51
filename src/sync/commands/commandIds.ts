import type { Db } from '../../store/database.js';
import { COMMAND_ID_MAX_LEAD_MS } from '../protocol/messages.js';
import { commandIdMarks, type CommandIdMarks } from './commandLog.js';
import { commandText } from './messages.js';
import type { ReplyError } from './refusal.js';

export interface IdContext {
  /** The room has a center key: only commands whose signature it checked count. */
  verifiedOnly: boolean;
  /** The center's time learned from its acks; undefined until one came. */
  centerNowMs: number | undefined;
}

export interface IdJudgement {
  /** Why the id is refused; undefined when the command may run. */
  refusal: ReplyError | undefined;
  marks: CommandIdMarks;
  /** The highest id that may count now; undefined while the center's time is unknown. */
  limit: number | undefined;
}

/**
 * Judges the id of a command the room has not recorded. The center's ids are its clock in ms, so:
 * 1. an id more than COMMAND_ID_MAX_LEAD_MS ahead of the center's time is `id-too-far`: the
 *    center issued no such id, and once recorded it would stand above every id it issues;
 * 2. an id below the replay watermark is `stale-id`.
 * The watermark is the highest recorded id that was checked (with a center key: verified, so an
 * unsigned command recorded by an earlier release cannot hold it up) and lies within that limit:
 * an id recorded beyond it (accepted while the center's time was unknown, or by an earlier release)
 * is treated as damaged and left out, so such a room recovers at the first ack.
 */
export function judgeNewId(db: Db, id: number, context: IdContext): IdJudgement {
  const { centerNowMs } = context;
  const limit = centerNowMs === undefined ? undefined : centerNowMs + COMMAND_ID_MAX_LEAD_MS;
  const marks = commandIdMarks(db, { verifiedOnly: context.verifiedOnly, limit });
  if (centerNowMs !== undefined && limit !== undefined && id > limit) {
    const now = new Date(centerNowMs).toISOString();
    const message = commandText('idTooFar', { id, minutes: COMMAND_ID_MAX_LEAD_MS / 60_000, now });
    return { refusal: { code: 'id-too-far', message }, marks, limit };
  }
  if (id < marks.watermark) {
    const message = commandText('staleId', { id, highest: marks.watermark });
    return { refusal: { code: 'stale-id', message }, marks, limit };
  }
  return { refusal: undefined, marks, limit };
}
