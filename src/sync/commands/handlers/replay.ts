import { z } from 'zod';
import { defineCommand } from '../definition.js';

/**
 * journal.replay {fromSeq}: the outbox sends the journal again from fromSeq (the center found a
 * gap or lost its copy); the result says which seqs are on their way. Harmless to repeat.
 */
export const journalReplay = defineCommand({
  type: 'journal.replay',
  mode: 'task',
  params: z.strictObject({ fromSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
  run: ({ fromSeq }, { deps }) => deps.replayFrom(fromSeq),
});
