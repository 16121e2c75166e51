import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CENTER_COMMANDS } from '../../src/sync/commands/catalog.js';
import * as messages from '../../src/sync/protocol/messages.js';
import { allRoomsOutbound, roomTopics } from '../../src/sync/protocol/topics.js';

/**
 * Keeps src/sync/protocol/README.md, the document a county builds its center from, in step with
 * the code: every topic, payload schema and field, command type and error code the code defines
 * must be named in it. It cannot tell whether the prose is right, only that nothing was left out.
 */
const docFile = new URL('../../src/sync/protocol/README.md', import.meta.url);
const doc = readFileSync(docFile, 'utf8');

/** The document writes code, topics and field names as `code spans`. */
const spans = new Set([...doc.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!));
/** Every identifier inside a code span: `{freeBytes, totalBytes}` and `journal.headSeq` name fields too. */
const identifiers = new Set([...spans].flatMap((span) => span.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []));

/** GitHub's anchors for the document's headings: lower case, punctuation dropped, spaces as dashes. */
const headingAnchors = new Set(
  [...doc.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
    match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-'),
  ),
);

const PREFIX = '<prefix>';
const DEVICE = '<deviceId>';
/** How the document writes the variable levels of a topic, per RoomTopics function. */
const TOPIC_PLACEHOLDERS: Record<string, readonly unknown[]> = {
  fileInit: ['<fileId>'],
  fileSegment: ['<fileId>', '<offset>'],
  fileFin: ['<fileId>', '<size>', '<sha256>'],
};

/** Every topic of the room's namespace, without `<prefix>/rooms/<deviceId>/`, as the document writes it. */
function topicSuffixes(): string[] {
  const topics = roomTopics(PREFIX, DEVICE);
  const base = `${topics.base}/`;
  return Object.entries(topics).flatMap(([name, value]: [string, unknown]) => {
    if (name === 'base') return [];
    if (typeof value === 'string') return [value.slice(base.length)];
    const placeholders = TOPIC_PLACEHOLDERS[name];
    if (typeof value !== 'function' || placeholders === undefined)
      throw new Error(`RoomTopics.${name} is new: add how the document writes its levels to TOPIC_PLACEHOLDERS`);
    return [(value as (...levels: unknown[]) => string)(...placeholders).slice(base.length)];
  });
}

/** Field names of a schema, nested objects and arrays of objects included. */
function fieldNames(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject)
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, field]) => [
      key,
      ...fieldNames(field),
    ]);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault)
    return fieldNames(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodArray) return fieldNames(schema.element as z.ZodType);
  return [];
}

const payloadSchemas = Object.entries(messages).flatMap(
  ([name, value]: [string, unknown]): Array<[string, z.ZodType]> =>
    name.endsWith('Schema') && value instanceof z.ZodType ? [[name, value]] : [],
);

describe('the wire protocol document', () => {
  it('names every topic of the room namespace and the center subscription', () => {
    const topics = [...topicSuffixes(), allRoomsOutbound(PREFIX)];
    expect(topics).toContain('out/files/<fileId>/seg/<offset>');
    expect(topics.filter((topic) => !spans.has(topic))).toEqual([]);
  });

  it('names every payload schema of messages.ts and every field in it', () => {
    expect(payloadSchemas.map(([name]) => name)).toContain('eventBatchSchema');
    const missing = payloadSchemas.flatMap(([name, schema]) =>
      [name, ...fieldNames(schema)].filter((field) => !identifiers.has(field)).map((field) => `${name}: ${field}`),
    );
    expect(missing).toEqual([]);
  });

  it('names every command type the agent carries out and every error code of a reply', () => {
    const names = [...CENTER_COMMANDS.map((command) => command.type), ...messages.COMMAND_ERROR_CODES];
    expect(names.filter((name) => !spans.has(name))).toEqual([]);
  });

  it('is linked from the root README, whose links into it, like its own contents, lead to headings', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme.includes('(src/sync/protocol/README.md)'), 'README.md links to the protocol document').toBe(true);
    const anchors = [
      ...[...readme.matchAll(/\(src\/sync\/protocol\/README\.md#([^)]+)\)/g)].map((match) => match[1]!),
      ...[...doc.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]!),
    ];
    expect(anchors.length).toBeGreaterThan(5);
    expect(anchors.filter((anchor) => !headingAnchors.has(anchor))).toEqual([]);
  });
});
