import { gt521Commands } from '../framing/commands.js';
import { Gt521Nack, nackError } from '../framing/nack.js';
import type { Gt521Protocol } from '../protocol/protocol.js';

export interface Gt521Model {
  /** GT-521F52, GT-521F32 or GT-511C3. */
  readonly name: string;
  readonly capacity: number;
  /** 1–5 on the GT-521F models; undefined on the GT-511C3, which has no security levels. */
  readonly securityLevel: number | undefined;
}

/** The highest slot of the largest model: valid on a GT-521F52 (3000 slots), out of range elsewhere. */
const F52_LAST_SLOT = 2999;
const F52_CAPACITY = 3000;
const SMALL_CAPACITY = 200;

/**
 * Which model answers, told from how it answers rather than from the firmware number, whose
 * values ADH-Tech does not publish per model:
 * - capacity: CheckEnrolled(2999) is "used" or "not used" on a 3000-slot GT-521F52 and "invalid
 *   position" on the 200-slot GT-521F32 and GT-511C3;
 * - GT-521F32 versus GT-511C3: only the GT-521F series has Get/SetSecurityLevel, so the older
 *   module refuses GetSecurityLevel as unsupported (or as an invalid command).
 */
export async function detectModel(protocol: Gt521Protocol): Promise<Gt521Model> {
  const capacity = await probeCapacity(protocol);
  const securityLevel = await readSecurityLevel(protocol);
  const name = capacity === F52_CAPACITY ? 'GT-521F52' : securityLevel === undefined ? 'GT-511C3' : 'GT-521F32';
  return { name, capacity, securityLevel };
}

async function probeCapacity(protocol: Gt521Protocol): Promise<number> {
  const request = gt521Commands.checkEnrolled(F52_LAST_SLOT);
  const response = await protocol.command(request);
  if (response.ack || response.param === Gt521Nack.IsNotUsed) return F52_CAPACITY;
  if (response.param === Gt521Nack.InvalidPosition) return SMALL_CAPACITY;
  throw nackError(request.name, response.param);
}

async function readSecurityLevel(protocol: Gt521Protocol): Promise<number | undefined> {
  const request = gt521Commands.getSecurityLevel();
  const response = await protocol.command(request);
  if (response.ack) return response.param;
  if (response.param === Gt521Nack.IsNotSupported || response.param === Gt521Nack.Invalid) return undefined;
  throw nackError(request.name, response.param);
}
