import { z } from 'zod';
import type { JournalEntry, JsonValue } from './types.js';
import type { ControlRegistry } from '../control/registry.js';

export const noteParams = z.strictObject({
  text: z.string().trim().min(1).max(2000),
  operator: z.string().trim().min(1).max(64),
});

export const noteResultSchema = z.strictObject({ seq: z.number().int() });

/**
 * A technician's note goes into the journal like any event, so it reaches the county with the
 * records it explains ("scanner replaced", "power cut during the meeting").
 */
export function registerJournalMethods(
  registry: ControlRegistry,
  journal: { append(type: string, payload: JsonValue): JournalEntry },
): void {
  registry.register('journal.note', noteParams, ({ text, operator }) => {
    const entry = journal.append('technician.note', { text, operator });
    return { seq: entry.seq };
  });
}
