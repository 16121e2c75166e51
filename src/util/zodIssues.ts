import type { z } from 'zod';
import { issueText, typeName } from './issueMessages.js';
import { maskUrl } from './mask.js';

/** device.id is ['device', 'id']; cameras[0].url is ['cameras', 0, 'url']. */
export type KeyPath = readonly (string | number)[];

/** One problem line, with the key path it is about so callers can order lines (by file position). */
export interface Problem {
  path: KeyPath;
  text: string;
}

export interface DescribeOptions {
  /** Values at these paths are shown as [hidden]: problem lines end up in logs and tickets. */
  isSecret?: (path: KeyPath) => boolean;
  /** The line for an unknown key; the configuration uses it to suggest the key probably meant. */
  unknownKey?: (path: KeyPath) => string;
}

/** Long values are cut so one problem stays one readable line. */
const MAX_VALUE_LENGTH = 60;
/** Value lists longer than this are shown as a range (9600…115200). */
const MAX_LISTED_NUMBERS = 5;

/**
 * Turns zod's issues into problem lines naming the key path, the value found and what is
 * expected, every problem at once. `input` is what was validated: values are looked up there
 * rather than trusted from the issue, which also tells a missing key (`required`) from a wrong one.
 * Schemas word custom checks as what is expected ("an rtsp:// URL"): it completes "… is not".
 */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  options: DescribeOptions = {},
): Problem[] {
  const unknownKey = options.unknownKey ?? ((path: KeyPath) => issueText('unknownKey', { path: formatKeyPath(path) }));
  return issues.flatMap((issue) => {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], text: unknownKey([...path, key]) }));
    }
    const value = valueAt(input, path);
    const shown = options.isSecret?.(path) === true ? typeName('hidden') : renderValue(value);
    return [
      { path, text: issueLine(issue, path.length === 0 ? typeName('topLevel') : formatKeyPath(path), value, shown) },
    ];
  });
}

/** Every problem on one line, for an error message about a control request or an activity plan. */
export function issueSummary(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return describeIssues(issues, input)
    .map((problem) => problem.text)
    .join('; ');
}

function issueLine(issue: z.core.$ZodIssue, path: string, value: unknown, shown: string): string {
  if (value === undefined) return issueText('required', { path });
  switch (issue.code) {
    case 'invalid_type':
      return issueText('wrongType', {
        path,
        expected: expectedType(issue.expected),
        found: describeFound(value, shown),
      });
    case 'invalid_value':
      return issueText('notOneOf', { path, value: shown, values: listValues(issue.values) });
    case 'too_small':
    case 'too_big': {
      const side = issue.code === 'too_small' ? 'small' : 'big';
      const limit = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      return limitLine(issue.origin, side, issue.inclusive !== false, {
        path,
        value: shown,
        limit,
        count: Array.isArray(value) ? value.length : 0,
      });
    }
    case 'invalid_format':
      return issueText('notFormat', { path, value: shown, expected: issue.message });
    default:
      return issueText('other', { path, message: issue.message });
  }
}

function limitLine(
  origin: string,
  side: 'small' | 'big',
  inclusive: boolean,
  params: Record<string, string | number>,
): string {
  if (origin === 'string') return issueText(side === 'small' ? 'tooShort' : 'tooLong', params);
  if (origin === 'array') return issueText(side === 'small' ? 'tooFewItems' : 'tooManyItems', params);
  if (side === 'small') return issueText(inclusive ? 'belowMinimum' : 'notAbove', params);
  return issueText(inclusive ? 'aboveMaximum' : 'notBelow', params);
}

/** The value at `path` in `input`, or undefined when the path leads nowhere. */
export function valueAt(input: unknown, path: KeyPath): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** device.id, cameras[0].url — the form every problem line starts with. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
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
export function describeFound(value: unknown, shown: string): string {
  return value !== null && typeof value !== 'object' ? `${shown} (${typeof value})` : shown;
}

/**
 * Strings quoted, other scalars as written. Credentials inside URLs (rtsp://admin:secret@…) are
 * masked before the value is cut: problem lines end up in journald, the journal and the county's
 * command replies.
 */
export function renderValue(value: unknown): string {
  if (value === null) return typeName('emptyValue');
  if (Array.isArray(value)) return typeName('array');
  if (typeof value === 'object' || typeof value === 'function') return typeName('object');
  if (typeof value !== 'string') {
    // A primitive by now, though TypeScript cannot narrow `unknown` that far on its own.
    const scalar = value as number | boolean | bigint | symbol | undefined;
    return String(scalar);
  }
  const masked = maskUrl(value);
  const cut = masked.length > MAX_VALUE_LENGTH ? `${masked.slice(0, MAX_VALUE_LENGTH)}…` : masked;
  return JSON.stringify(cut);
}

function listValues(values: readonly unknown[]): string {
  if (values.length > MAX_LISTED_NUMBERS && values.every((value) => typeof value === 'number')) {
    const numbers = values as number[];
    return `${Math.min(...numbers)}…${Math.max(...numbers)}`;
  }
  return values.map(String).join(', ');
}
