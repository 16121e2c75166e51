import { Gt521Command, type Gt521CommandCode } from '../framing/constants.js';
import type { Gt521Request } from '../framing/packet.js';

/**
 * Commands that leave the module as they found it, so asking twice is harmless: only these are
 * retried, and only after a timeout (a reply lost on the wire), never after a NACK. Captures,
 * enroll steps, deletes and template writes change state and are never repeated behind the
 * caller's back.
 */
const IDEMPOTENT: ReadonlySet<Gt521CommandCode> = new Set([
  Gt521Command.Open,
  Gt521Command.Close,
  Gt521Command.CmosLed,
  Gt521Command.GetEnrollCount,
  Gt521Command.CheckEnrolled,
  Gt521Command.IsPressFinger,
  Gt521Command.GetSecurityLevel,
  Gt521Command.SetSecurityLevel,
  Gt521Command.GetTemplate,
]);
const MAX_RETRIES = 2;

export function retriesFor(request: Gt521Request): number {
  return IDEMPOTENT.has(request.command) ? MAX_RETRIES : 0;
}
