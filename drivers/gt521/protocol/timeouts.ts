import { z } from 'zod';
import { Gt521Command, type Gt521CommandCode } from '../framing/constants.js';
import type { Gt521Request } from '../framing/packet.js';

/**
 * How long to wait for each reply, in milliseconds, measured from the moment the command is
 * written. Generous bounds, not expectations: the module answers most commands within tens of
 * milliseconds, but capturing, matching against 3000 templates and writing flash take seconds.
 */
export const gt521TimeoutsSchema = z.object({
  /** Open during the start-up handshake and baud probing: a live module answers at once. */
  handshake: z.number().int().positive().describe('ms, default 600'),
  /** Queries and settings that touch no flash and no image: LED, finger present, counts, levels. */
  query: z.number().int().positive().describe('ms, default 1000'),
  /** CaptureFinger(fast), the identification image. */
  captureFast: z.number().int().positive().describe('ms, default 2000'),
  /** CaptureFinger(best), the enrollment image: the module retakes until it is satisfied (~1–2 s). */
  captureBest: z.number().int().positive().describe('ms, default 4000'),
  /** Enroll1 and Enroll2: extract and keep one scan's template. */
  enrollStep: z.number().int().positive().describe('ms, default 3000'),
  /** Enroll3: merge, check every enrolled template for a duplicate, write flash. */
  enrollFinal: z.number().int().positive().describe('ms, default 6000'),
  /** Identify1_N over up to 3000 templates (F52); Verify1_1 is faster but shares the bound. */
  match: z.number().int().positive().describe('ms, default 4000'),
  /** DeleteID, EnrollStart: one flash record. */
  flashWrite: z.number().int().positive().describe('ms, default 2000'),
  /** DeleteAll: erases the whole template area (3000 records on an F52). */
  flashErase: z.number().int().positive().describe('ms, default 8000'),
  /** SetTemplate's final answer: duplicate check over every template, then a flash write. */
  templateStore: z.number().int().positive().describe('ms, default 6000'),
  /** Added to a data packet's wire time, for the module to start sending it. */
  dataSlack: z.number().int().positive().describe('ms, default 500'),
  /**
   * After a timeout, how long to let a late reply arrive and be dropped before the next command:
   * replies carry no command code, so a late one must not be taken for the next command's answer.
   */
  lateReplyQuiet: z.number().int().positive().describe('ms, default 200'),
});

export type Gt521Timeouts = z.infer<typeof gt521TimeoutsSchema>;

export const DEFAULT_GT521_TIMEOUTS: Gt521Timeouts = {
  handshake: 600,
  query: 1000,
  captureFast: 2000,
  captureBest: 4000,
  enrollStep: 3000,
  enrollFinal: 6000,
  match: 4000,
  flashWrite: 2000,
  flashErase: 8000,
  templateStore: 6000,
  dataSlack: 500,
  lateReplyQuiet: 200,
};

const TIMEOUT_OF_COMMAND: Readonly<Record<Gt521CommandCode, keyof Gt521Timeouts>> = {
  [Gt521Command.Open]: 'query',
  [Gt521Command.Close]: 'query',
  [Gt521Command.ChangeBaudrate]: 'query',
  [Gt521Command.CmosLed]: 'query',
  [Gt521Command.GetEnrollCount]: 'query',
  [Gt521Command.CheckEnrolled]: 'query',
  [Gt521Command.IsPressFinger]: 'query',
  [Gt521Command.GetSecurityLevel]: 'query',
  [Gt521Command.SetSecurityLevel]: 'query',
  [Gt521Command.EnterStandby]: 'query',
  [Gt521Command.GetTemplate]: 'query',
  [Gt521Command.SetTemplate]: 'query',
  [Gt521Command.EnrollStart]: 'flashWrite',
  [Gt521Command.DeleteID]: 'flashWrite',
  [Gt521Command.DeleteAll]: 'flashErase',
  [Gt521Command.Enroll1]: 'enrollStep',
  [Gt521Command.Enroll2]: 'enrollStep',
  [Gt521Command.Enroll3]: 'enrollFinal',
  [Gt521Command.Verify1_1]: 'match',
  [Gt521Command.Identify1_N]: 'match',
  [Gt521Command.CaptureFinger]: 'captureFast',
};

export function replyTimeout(timeouts: Gt521Timeouts, request: Gt521Request): number {
  if (request.command === Gt521Command.CaptureFinger && request.param !== 0) return timeouts.captureBest;
  return timeouts[TIMEOUT_OF_COMMAND[request.command]];
}

/** Wire time of a data packet (10 bits a byte: start, 8 data, stop), doubled, plus the slack. */
export function dataTimeout(timeouts: Gt521Timeouts, packetBytes: number, baudRate: number): number {
  const wireMs = Math.ceil((packetBytes * 10 * 1000) / baudRate);
  return 2 * wireMs + timeouts.dataSlack;
}
