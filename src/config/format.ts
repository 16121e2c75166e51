import type { z } from 'zod';
import { problemText, typeName } from './messages.js';
import { configSchema } from './schema.js';
import { formatKeyPath, keysAt, type KeyPath } from './schemaKeys.js';
import { closestKey } from './suggest.js';

/** One problem line, with the key path it is about so lines can be put in file order. */
export interface Problem {
  path: KeyPath;
  text: string;
}

/** Long values are cut so one problem stays one readable line. */
const MAX_VALUE_LENGTH = 60;
/** Value lists longer than this are shown as a range (9600…115200). */
const MAX_LISTED_NUMBERS = 5;

/**
 * Turns zod's issues into problem lines naming the key path, the value found and what is
 * expected. `input` is what was validated: values are looked up there rather than trusted from
 * the issue, which also tells a missing key (`required`) from a wrong one.
 */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  isSecret: (path: KeyPath) => boolean,
): Problem[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], text: unknownKeyText([...path, key]) }));
    }
    const value = valueAt(input, path);
    const shown = isSecret(path) ? typeName('hidden') : renderValue(value);
    return [{ path, text: issueText(issue, formatPathOrTop(path), value, shown) }];
  });
}

function issueText(issue: z.core.$ZodIssue, path: string, value: unknown, shown: string): string {
  if (value === undefined) return problemText('required', { path });
  switch (issue.code) {
    case 'invalid_type':
      return problemText('wrongType', { path, expected: expectedType(issue.expected), found: describeFound(value, shown) });
    case 'invalid_value':
      return problemText('notOneOf', { path, value: shown, values: listValues(issue.values) });
    case 'too_small':
    case 'too_big': {
      const side = issue.code === 'too_small' ? 'small' : 'big';
      const limit = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      return limitText(issue.origin, side, issue.inclusive !== false, { path, value: shown, limit, count: lengthOf(value) });
    }
    case 'invalid_format':
      // The schema's message names what the pattern expects ("an rtsp:// URL").
      return problemText('notFormat', { path, value: shown, expected: issue.message });
    default:
      return problemText('other', { path, message: issue.message });
  }
}

function limitText(origin: string, side: 'small' | 'big', inclusive: boolean, params: Record<string, string | number>): string {
  if (origin === 'string') return problemText(side === 'small' ? 'tooShort' : 'tooLong', params);
  if (origin === 'array') return problemText(side === 'small' ? 'tooFewItems' : 'tooManyItems', params);
  if (side === 'small') return problemText(inclusive ? 'belowMinimum' : 'notAbove', params);
  return problemText(inclusive ? 'aboveMaximum' : 'notBelow', params);
}

function unknownKeyText(path: KeyPath): string {
  const key = String(path[path.length - 1]);
  const suggestion = closestKey(key, keysAt(configSchema, path.slice(0, -1)));
  const formatted = formatKeyPath(path);
  return suggestion === undefined
    ? problemText('unknownKey', { path: formatted })
    : problemText('unknownKeySuggestion', { path: formatted, suggestion });
}

/** The problem for a file whose top level is not a mapping of sections. */
export function topLevelProblem(value: unknown): Problem {
  const found = describeFound(value, renderValue(value));
  return { path: [], text: problemText('wrongType', { path: typeName('topLevel'), expected: typeName('object'), found }) };
}

function formatPathOrTop(path: KeyPath): string {
  return path.length === 0 ? typeName('topLevel') : formatKeyPath(path);
}

function valueAt(input: unknown, path: KeyPath): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

function expectedType(expected: string): string {
  switch (expected) {
    case 'string':
    case 'number':
    case 'int':
    case 'boolean':
    case 'object':
    case 'array':
      return typeName(expected);
    default:
      return expected;
  }
}

/** "42 (number)", "an empty value", "a list": what a technician sees at that key. */
function describeFound(value: unknown, shown: string): string {
  return value !== null && typeof value !== 'object' ? `${shown} (${typeof value})` : shown;
}

/**
 * Strings quoted, other scalars as written. Credentials inside URLs (rtsp://admin:secret@…) are
 * masked: problem lines end up in journald.
 */
export function renderValue(value: unknown): string {
  if (value === null) return typeName('emptyValue');
  if (Array.isArray(value)) return typeName('array');
  if (typeof value === 'object') return typeName('object');
  if (typeof value !== 'string') return String(value);
  const masked = value.replace(/(\/\/[^/@\s:]*):[^/@\s]*@/, '$1:***@');
  const cut = masked.length > MAX_VALUE_LENGTH ? `${masked.slice(0, MAX_VALUE_LENGTH)}…` : masked;
  return JSON.stringify(cut);
}

function listValues(values: readonly unknown[]): string {
  const numeric = values.every((value) => typeof value === 'number');
  if (numeric && values.length > MAX_LISTED_NUMBERS) {
    const numbers = values as number[];
    return `${Math.min(...numbers)}…${Math.max(...numbers)}`;
  }
  return values.map(String).join(', ');
}

/**
 * Orders problems as their keys appear in the file; a missing key sorts with the nearest
 * section that is there. Stable, so problems on one key keep zod's order.
 */
export function inFileOrder(problems: readonly Problem[], lineOf: (path: KeyPath) => number): string[] {
  return problems
    .map((problem, index) => ({ problem, index, line: lineOf(problem.path) }))
    .sort((a, b) => a.line - b.line || a.index - b.index)
    .map(({ problem }) => problem.text);
}
