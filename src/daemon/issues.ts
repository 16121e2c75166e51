import type { z } from 'zod';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * One `key.path: what is wrong` string per problem, for external input that is not the
 * configuration (control requests, activity plans): every problem at once, each naming its key,
 * with "required" and "unknown key" said plainly.
 */
export function describeIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    const prefix = path === '' ? '' : `${path}.`;
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${prefix}${key}: unknown key`);
    if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) return [`${path}: required`];
    return [path === '' ? issue.message : `${path}: ${issue.message}`];
  });
}
