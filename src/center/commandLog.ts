import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import { COMMAND_ID_MAX_LEAD_MS, type CommandEnvelope, type ReceivedCommandReply } from '../sync/protocol/messages.js';

/**
 * Ids the center issued more than this far ahead of its clock came from a clock that was wrong
 * and has since been set back: new ids go on from the clock instead. Half the room's bound, so
 * that an id the center issues stays within it while the room's idea of the center's time lags.
 */
const OWN_ID_MAX_LEAD_MS = COMMAND_ID_MAX_LEAD_MS / 2;

/**
 * The commands table: every command the center sent and the reply it got. Ids grow per room and
 * never fall below the current time in ms: a center whose database was lost or restored from an
 * old backup still issues ids above any a room has seen, so no room refuses them as stale. They
 * never run far ahead of it either: a room refuses an id more than COMMAND_ID_MAX_LEAD_MS ahead
 * of the center's time (`id-too-far`), so ids left by a clock that ran ahead are not continued.
 */
export class CommandLog {
  constructor(private readonly db: Db) {}

  /**
   * Allocates the room's next id and records the envelope `build` makes with it, in one IMMEDIATE
   * transaction: a `center send` beside a running center never hands out the same id twice.
   */
  record(deviceId: string, nowMs: number, build: (id: number) => CommandEnvelope): CommandEnvelope {
    return this.db
      .transaction(() => {
        const highest = statement(this.db, 'SELECT max(id) FROM commands WHERE device_id = ? AND id <= ?')
          .pluck()
          .get(deviceId, nowMs + OWN_ID_MAX_LEAD_MS) as number | null;
        const envelope = build(Math.max((highest ?? 0) + 1, nowMs));
        statement(this.db, 'INSERT INTO commands (device_id, id, type, body, sent_ms) VALUES (?, ?, ?, ?, ?)').run(
          deviceId,
          envelope.id,
          envelope.type,
          JSON.stringify(envelope),
          nowMs,
        );
        return envelope;
      })
      .immediate();
  }

  /** Stores the first reply to a command; false when the center never sent that command. */
  saveReply(deviceId: string, reply: ReceivedCommandReply, nowMs: number): boolean {
    if (reply.commandId === null) return false;
    const { changes } = statement(
      this.db,
      'UPDATE commands SET reply = ?, replied_ms = ? WHERE device_id = ? AND id = ? AND reply IS NULL',
    ).run(JSON.stringify(reply), nowMs, deviceId, reply.commandId);
    return changes === 1;
  }
}
