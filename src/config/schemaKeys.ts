import { z } from 'zod';
import type { KeyPath } from '../util/zodIssues.js';

/** Optional and default wrappers do not change which keys a section allows. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) return unwrap(schema.unwrap());
  return schema;
}

/** The schema that validates the value at `path`, if the path leads anywhere. */
function schemaAt(root: z.core.$ZodType, path: KeyPath): z.core.$ZodType | undefined {
  let schema: z.core.$ZodType | undefined = root;
  for (const segment of path) {
    const current: z.core.$ZodType = unwrap(schema);
    if (typeof segment === 'number' && current instanceof z.ZodArray) schema = current.element;
    else if (typeof segment === 'string' && current instanceof z.ZodObject)
      schema = (current.shape as z.core.$ZodShape)[segment];
    else return undefined;
    if (schema === undefined) return undefined;
  }
  return unwrap(schema);
}

/** The keys allowed in the section at `path`; empty when `path` is not a section. */
export function keysAt(root: z.core.$ZodType, path: KeyPath): string[] {
  const schema = schemaAt(root, path);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/**
 * Every key path the schema allows, sections included; a list's entries appear as index 0
 * (cameras[0].url). Used to prove the example file documents every key.
 */
export function allKeyPaths(root: z.core.$ZodType, prefix: KeyPath = []): KeyPath[] {
  const schema = unwrap(root);
  if (schema instanceof z.ZodArray) return allKeyPaths(schema.element, [...prefix, 0]);
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape).flatMap(([key, child]) => {
    const path = [...prefix, key];
    return [path, ...allKeyPaths(child as z.core.$ZodType, path)];
  });
}
