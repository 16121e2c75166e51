import { z } from 'zod';

/** The JSON lines a module emulator (drivers/emulator-common/control.py) writes on stdout. */

export const eventSchema = z.looseObject({ event: z.string() });
export const replySchema = z.object({
  id: z.number(),
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.string().optional(),
});
export const readySchema = z.object({
  event: z.literal('ready'),
  path: z.string(),
  slave: z.string(),
  baud: z.number(),
});
export const commandEventSchema = z.object({ event: z.literal('command'), name: z.string(), count: z.number() });
export const replugSchema = z.object({ path: z.string(), slave: z.string() });
export const releaseSchema = z.object({ released: z.boolean() });
export const templateSchema = z.object({ hex: z.string() });

export const emulatorStateSchema = z.looseObject({
  family: z.enum(['r30x', 'gt521']),
  plugged: z.boolean(),
  powered: z.boolean(),
  path: z.string(),
  slave: z.string().nullable(),
  baud: z.number(),
  hostBaud: z.number(),
  finger: z.string().nullable(),
  quality: z.enum(['good', 'poor']),
  /** Commands received, by datasheet name (e.g. Search, GenImg, Identify1_N). */
  counts: z.record(z.string(), z.number()),
  ignoredBytes: z.number(),
  holding: z.boolean(),
  capacity: z.number(),
  /** Occupied slots → finger name ("unknown:…" for a template no test named, "unreadable"). */
  slots: z.record(z.string(), z.string()),
});
export type EmulatorState = z.infer<typeof emulatorStateSchema>;
export type EmulatorEvent = z.infer<typeof eventSchema>;
