import { z } from 'zod';

/**
 * The version of each message's format, the `v` it carries (src/sync/protocol/README.md,
 * "Compatibility"). A format's version grows only when a reader of the version before would
 * refuse or misread it (a required field added, a value it does not know, a changed meaning);
 * an optional field adds nothing to it. Versions are per message so that a change to one message
 * leaves the others readable by every release: the center's acknowledgements and commands, which
 * version 2 did not change, are read by rooms of both releases as they are.
 */
export const MESSAGE_VERSIONS = {
  state: 1,
  events: 1,
  /** 2: camera entries carry the push's state, problem, codecs, bitrate and restarts. */
  health: 2,
  /** 2: heldSeq and broken, for a room whose journal is behind or beside the center's copy. */
  ack: 2,
  command: 1,
  reply: 1,
  fileInit: 1,
  fileAck: 1,
} as const;
export type MessageKind = keyof typeof MESSAGE_VERSIONS;

/** Each `v` schema of messageVersion, with the versions the center reads: the current one and the one before. */
const acceptedVersions = new WeakMap<z.ZodType, z.ZodType<number>>();

/** A message's `v` as it is sent; `tolerant` widens it to the version before as well. */
export function messageVersion<K extends MessageKind>(kind: K): z.ZodLiteral<(typeof MESSAGE_VERSIONS)[K]> {
  const current = MESSAGE_VERSIONS[kind];
  const sent = z.literal(current);
  acceptedVersions.set(sent, current > 1 ? z.union([z.literal(current - 1), z.literal(current)]) : sent);
  return sent;
}

/** Fields a version added, with what the center assumes when a sender of the version before leaves them out. */
const addedFields = new WeakMap<z.ZodType, { absentAs: unknown }>();

/** Marks a required field a format's current version added; a sender must still send it. */
export function added<T extends z.ZodType>(schema: T, absentAs: z.output<T>): T {
  addedFields.set(schema, { absentAs });
  return schema;
}

/** A message as the center reads it: the sender's shape, `v` the current version or the one before. */
export type Received<T> = T extends { v: number } ? Omit<T, 'v'> & { v: number } : T;

/**
 * The reading of `schema` that accepts what a sender of the previous or a later release sends:
 * objects drop unknown keys instead of refusing them (their refinements kept), `v` may be the
 * version before, fields marked `added` take their default when absent; every bound and value
 * check stays as it is. Values under `z.json()` (journal payloads, command results) are taken as
 * sent, so nothing a signature covers is changed by the reading. These three differences are the
 * only ones, so a strict schema and its tolerant reading cannot drift apart.
 */
export function tolerant<T extends z.ZodType>(schema: T): z.ZodType<Received<z.output<T>>> {
  return loosen(schema) as z.ZodType<Received<z.output<T>>>;
}

function loosen(schema: z.ZodType): z.ZodType {
  const loosened = loosenParts(schema);
  const addition = addedFields.get(schema);
  return addition === undefined ? loosened : loosened.default(addition.absentAs);
}

function loosenParts(schema: z.ZodType): z.ZodType {
  const accepted = acceptedVersions.get(schema);
  if (accepted !== undefined) return accepted;
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(
      Object.entries(schema.def.shape).map(([key, field]) => [key, loosen(field as z.ZodType)]),
    );
    return schema.clone({ ...schema.def, shape, catchall: undefined });
  }
  if (schema instanceof z.ZodArray)
    return schema.clone({ ...schema.def, element: loosen(schema.def.element as z.ZodType) });
  if (schema instanceof z.ZodOptional)
    return schema.clone({ ...schema.def, innerType: loosen(schema.def.innerType as z.ZodType) });
  if (schema instanceof z.ZodNullable)
    return schema.clone({ ...schema.def, innerType: loosen(schema.def.innerType as z.ZodType) });
  if (schema instanceof z.ZodDefault)
    return schema.clone({ ...schema.def, innerType: loosen(schema.def.innerType as z.ZodType) });
  return schema;
}
