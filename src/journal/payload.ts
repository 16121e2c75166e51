import type { JsonValue } from './types.js';

/** Drops undefined members: journal payloads are JSON and hashed canonically, where an absent member is not a null one. */
export function jsonPayload(fields: Record<string, JsonValue | undefined>): JsonValue {
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, JsonValue] => entry[1] !== undefined),
  );
}
