import type { EventBus } from '../../daemon/bus.js';
import { ErrorCode, isAgentError } from '../../errors.js';
import type { Journal } from '../../journal/journal.js';
import type { Logger } from '../../log.js';
import type { InboundMessage, MessageProperties } from '../link/types.js';
import { CENTER_ACK_EXPIRY_SECONDS, centerAckSchema, type CenterAck } from '../protocol/messages.js';

/** A CenterAck is about 150 bytes; anything far larger is not one and is not parsed. */
const MAX_ACK_BYTES = 1024;

/** The ack as JSON and schema-valid, or what is wrong with it. */
function parseCenterAck(payload: Buffer): CenterAck | string {
  if (payload.length > MAX_ACK_BYTES) return `${payload.length} bytes, more than ${MAX_ACK_BYTES}`;
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const parsed = centerAckSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => `${issue.path.join('.') || 'ack'}: ${issue.message}`).join('; ');
}

/**
 * The center's time now, from an ack delivered with `properties`: its centerTimeMs plus how long
 * the broker held it (CENTER_ACK_EXPIRY_SECONDS minus the remaining expiry, to the second).
 * Undefined when the ack carries no expiry, or another one: then nothing bounds its age (it may
 * have waited days in this room's session) and it is no clock source.
 */
function freshCenterTime(ack: CenterAck, properties: MessageProperties): number | undefined {
  const remaining = properties.messageExpiryInterval;
  if (remaining === undefined || remaining > CENTER_ACK_EXPIRY_SECONDS) return undefined;
  return ack.centerTimeMs + (CENTER_ACK_EXPIRY_SECONDS - remaining) * 1000;
}

export interface AcceptedAck {
  ack: CenterAck;
  /** The sync cursor moved (false: the center repeated the cursor it had acknowledged before). */
  advanced: boolean;
  /** freshCenterTime of the ack: undefined when its age is unknown. */
  centerTimeMs: number | undefined;
}

/**
 * Applies the center's acknowledgements to the journal's sync cursor: the only thing that moves
 * it. Nothing from the broker can make this throw: a malformed ack is logged and ignored, a late
 * one changes nothing, one that contradicts the local chain is reported (once per seq and hash,
 * as the center repeats its ack) and ignored.
 */
export class CenterAckReceiver {
  private lastContradiction: string | undefined;

  constructor(
    private readonly options: {
      journal: Pick<Journal, 'anchor' | 'syncCursor'>;
      bus: EventBus;
      logger: Logger;
    },
  ) {}

  /** The ack when it matches the local chain at or beyond the cursor; undefined otherwise. */
  receive(message: InboundMessage): AcceptedAck | undefined {
    const { journal, logger } = this.options;
    const ack = parseCenterAck(message.payload);
    if (typeof ack === 'string') {
      logger.warn(
        { topic: message.topic, bytes: message.payload.length, problem: ack },
        'ignoring a malformed acknowledgement from the center',
      );
      return undefined;
    }
    const centerTimeMs = freshCenterTime(ack, message.properties);
    const cursor = journal.syncCursor();
    if (cursor !== undefined && ack.seq < cursor.seq) {
      logger.debug({ seq: ack.seq, cursorSeq: cursor.seq }, 'ignoring a late acknowledgement');
      return undefined;
    }
    if (cursor !== undefined && ack.seq === cursor.seq) {
      if (ack.hash === cursor.hash) return { ack, advanced: false, centerTimeMs };
      this.contradiction(ack, `entry ${ack.seq} differs from the entry the center acknowledged`);
      return undefined;
    }
    try {
      journal.anchor({ seq: ack.seq, hash: ack.hash, ...(centerTimeMs !== undefined && { centerTimeMs }) });
    } catch (error) {
      if (isAgentError(error, ErrorCode.JournalTampered)) this.contradiction(ack, error.message);
      else logger.error({ err: error, seq: ack.seq }, 'could not record the acknowledgement from the center');
      return undefined;
    }
    return { ack, advanced: true, centerTimeMs };
  }

  private contradiction(ack: CenterAck, reason: string): void {
    const key = `${ack.seq}:${ack.hash}`;
    if (key === this.lastContradiction) return;
    this.lastContradiction = key;
    this.options.logger.error(
      { seq: ack.seq, acknowledgedHash: ack.hash, reason },
      'the center acknowledged an entry that contradicts the local journal; the sync cursor stays',
    );
    this.options.bus.emit('journal.tamper', { firstBrokenSeq: ack.seq, reason: `center acknowledgement: ${reason}` });
  }
}
