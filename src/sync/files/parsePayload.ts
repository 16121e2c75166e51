import type { z } from 'zod';

/**
 * A JSON payload from the other half (an init at the center, an acknowledgement at the room)
 * parsed with its schema: the value, or a one-line English reason for the log and the answer.
 * Never throws, whatever the bytes.
 */
export function parsePayload<S extends z.ZodType>(
  schema: S,
  payload: Buffer,
  what: string,
): z.output<S> | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return { problem: `${what} is not JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  return {
    problem: `${what} is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || what}: ${issue.message}`).join('; ')}`,
  };
}
