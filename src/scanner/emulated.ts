import type { JsonValue } from '../journal/types.js';

/**
 * What a record made through the no-hardware emulator adds to its payload: `emulated: true`,
 * signed with the rest, so demo sign-ins and enrollments can never pass for real ones at the county.
 * Nothing for a real driver: real records stay as they always were.
 */
export function emulatedMark(driver: string): Record<string, JsonValue> {
  return driver === 'emulator' ? { emulated: true } : {};
}
