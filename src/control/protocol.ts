import { z } from 'zod';

/**
 * The control socket speaks JSON lines: one request per line, one response per line with the
 * same id. A long-running method (enrollment guiding a technician) may send progress lines
 * `{id, progress}` before its response.
 */
export const MAX_LINE_BYTES = 64 * 1024;

const requestId = z.union([z.string().min(1).max(64), z.number().int().nonnegative()]);

export const requestSchema = z.strictObject({
  id: requestId,
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
  /** The language the client's reader chose (--lang, the environment): errors and answers are worded in it. */
  lang: z.enum(['zh', 'en']).optional(),
});

export type ControlRequest = z.infer<typeof requestSchema>;
export type RequestId = z.infer<typeof requestId>;

export const errorBodySchema = z.strictObject({
  code: z.number().int(),
  message: z.string(),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;

export const responseSchema = z.union([
  z.strictObject({ id: requestId, ok: z.literal(true), result: z.unknown() }),
  // A request too malformed to carry an id is answered with id null.
  z.strictObject({ id: requestId.nullable(), ok: z.literal(false), error: errorBodySchema }),
  z.strictObject({ id: requestId, progress: z.unknown() }),
]);

export type ControlResponse = z.infer<typeof responseSchema>;
